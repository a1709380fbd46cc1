"""HTTP to the partner's integration with a deadline for the whole answer, not just for each byte.

``requests``' timeout bounds the wait between two bytes: a service that trickles its answer
could hold a check (and the run) forever, and a blocking read cannot be interrupted from its own
thread. So the request runs in a helper thread; at the deadline the kit stops waiting for it
(the thread ends with its socket). Every request the kit makes to the integration (triggers,
its readiness URL, the customer's browser) goes through ``fetch``.
"""

import threading
from dataclasses import dataclass

import requests

MAX_BODY = 2_000_000  # bytes of an answer the kit keeps; the rest is read and dropped


class TooSlow(requests.RequestException):
    """The answer did not arrive in full before the deadline."""


@dataclass
class Answer:
    status: int
    url: str            # after redirects
    text: str
    headers: dict       # requests.structures.CaseInsensitiveDict


def fetch(session, method, url, seconds, **kwargs):
    """The whole answer within ``seconds`` (redirects followed unless told otherwise); raises
    requests.RequestException (TooSlow, TooManyRedirects, ConnectionError, ...)."""
    box = {}

    def work():
        try:
            box["answer"] = _read(session, method, url, min(seconds, 10), **kwargs)
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc

    worker = threading.Thread(target=work, name="fetch", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TooSlow(f"{method} {url} did not answer in full within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["answer"]


def _read(session, method, url, timeout, **kwargs):
    with session.request(method, url, stream=True, timeout=timeout, **kwargs) as response:
        chunks, size = [], 0
        for chunk in response.iter_content(65536):
            if size < MAX_BODY:
                chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)[:MAX_BODY]
        return Answer(response.status_code, response.url, body.decode(response.encoding or "utf-8", errors="replace"),
                      response.headers)
