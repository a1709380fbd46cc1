"""The two sides of a drift check: where each is, its key and domain, and a GET-only session.

The key travels in the ``apikey`` header (never the query, which servers log), no redirect is
followed (a custom header would follow it to any host), and every message that may reach the
user passes through ``redact`` first.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import quote

import requests

from ..testing.wsgi import WSGIAdapter
from .shapes import shape, text_shape

IN_PROCESS_ROOT = "http://drift-sandbox.trustpilot.invalid"  # .invalid never resolves: nothing leaks out


class CannotCompare(Exception):
    """A side did not answer, or refused the check's first call; the message names side and URL."""


class WriteRefused(RuntimeError):
    """Something asked the drift check's session for a method other than GET: a bug, never sent."""


class ReadOnlySession(requests.Session):
    """A requests session that sends GET only and follows no redirect."""

    def request(self, method, url, *args, **kwargs):
        if str(method).upper() != "GET":
            raise WriteRefused(f"the drift check sends GET only; refused {method} {url}")
        kwargs["allow_redirects"] = False
        return super().request("GET", url, *args, **kwargs)


@dataclass(frozen=True)
class Answer:
    status: int
    body: object  # the decoded JSON; None when the body is not JSON
    shape: dict


@dataclass
class Side:
    name: str        # "real" or "sandbox", as the report names it
    url: str         # base URL, without /v1
    apikey: str
    domain: str
    description: str  # how the report names where it is
    session: ReadOnlySession = field(default_factory=ReadOnlySession)
    timeout: float = 30
    _close: object = None

    def get(self, path, params):
        url = self.url + path
        try:
            response = self.session.get(url, params=params, headers={"apikey": self.apikey,
                                                                     "Accept": "application/json"},
                                        timeout=self.timeout)
        except requests.RequestException as exc:
            reason = redact(f"{type(exc).__name__}: {exc}", self.apikey)
            raise CannotCompare(f"the {self.name} side at {self.url} cannot be reached (GET {path}): {reason}") from None
        return _answer(response)

    def close(self):
        self.session.close()
        if self._close is not None:
            self._close()


def _answer(response):
    if not response.content:
        return Answer(response.status_code, None, text_shape("empty"))
    try:
        body = response.json()
    except ValueError:
        return Answer(response.status_code, None, text_shape("text"))
    return Answer(response.status_code, body, shape(body))


def remote(name, url, apikey, domain, timeout):
    return Side(name, url.rstrip("/"), apikey, domain, url.rstrip("/"), timeout=timeout)


def in_process(timeout):
    """The sandbox in this process with the default world, reached through requests without a socket."""
    from ..app import create_app
    from .command import default_world

    world, domain, apikey = default_world()
    app = create_app({"SCENARIO": world})
    side = Side("sandbox", IN_PROCESS_ROOT, apikey, domain, "in-process, default world", timeout=timeout,
                _close=app.extensions["sandboxes"].close)
    side.session.mount(IN_PROCESS_ROOT + "/", WSGIAdapter(app))
    return side


def redact(text, *secrets):
    """``text`` without any of ``secrets`` in it, as given or URL-encoded."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}:
                text = text.replace(form, "***")
    return text
