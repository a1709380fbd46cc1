"""One request as the views see it: its sandbox, credentials and link root, worked out once, and
the parsers that turn a Flask request into plain values for the state layer (bad input becomes
a typed error)."""

from __future__ import annotations

import base64
import binascii
import re
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from flask import Request, current_app, request
from werkzeug.sansio.utils import get_current_url, get_host

from .. import json_input
from ..state import errors
from ..state.access import Credentials
from ..state.text import blank

if TYPE_CHECKING:
    from ..state.sandbox import Sandbox

SANDBOX_KEY = "trustpilot.sandbox"
SANDBOX_PREFIX = "/_sandbox/"
# Names the sandbox without the path prefix, for a client whose URLs cannot carry one (the proxy
# mode's requests to https://api.trustpilot.com): links then stay on the host as asked.
SANDBOX_HEADER = "X-Sandbox-Name"
_SANDBOX_HEADER_KEY = "HTTP_" + SANDBOX_HEADER.upper().replace("-", "_")
FORM = "application/x-www-form-urlencoded"
INTEGER = re.compile(r"-?[0-9]+")
LOCALE = re.compile(r"([A-Za-z]{2})-([A-Za-z]{2})")


class ApiRequest(Request):
    """Flask's request, plus what the hooks and the view of one request each ask for, worked out
    once: the fault check, request validation, the view and the journal all want the sandbox
    and the credentials (and every ``request.x`` through Flask's proxy costs about a microsecond)."""

    @property
    def sandbox_name(self):
        return self.environ.get(SANDBOX_KEY, "default")

    @cached_property
    def sandbox(self):
        """The sandbox this request addresses; NotFound (raised again on each ask) if there is none."""
        return current_app.extensions["sandboxes"].get(self.sandbox_name)

    @cached_property
    def credentials(self):
        """The credentials on this request (unverified)."""
        environ = self.environ  # the two headers by their WSGI names: what headers.get() looks up
        scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        bearer = value.strip() if scheme.lower() == "bearer" and value.strip() else None
        # The headers as they are (their get() ignores case): copying them all costs more than the
        # one or two the state layer ever looks up.
        return Credentials(apikey=environ.get("HTTP_APIKEY") or self.args.get("apikey") or None,
                           bearer=bearer, headers=self.headers)

    @cached_property
    def link_root(self):
        """Links are built from the request's own scheme and host, never from api.trustpilot.com."""
        return _host_url(self.scheme, self.environ.get("HTTP_HOST"), self.server) + self.script_root


def sandbox() -> Sandbox:
    """The sandbox this request addresses: 'default', or the one named by its /_sandbox/<name> prefix."""
    return request.sandbox  # ApiRequest: looked up once per request


def sandbox_name():
    return request.sandbox_name


def credentials():
    return request.credentials


def base_url():
    """The link root: links are built on the request's own scheme and host (and sandbox prefix)."""
    return request.link_root


class SandboxPrefix:
    """WSGI middleware: /_sandbox/<name>/rest is the route /rest of sandbox <name> (as is /rest
    with the header X-Sandbox-Name: <name>, which leaves the links without the prefix).

    The prefix moves into SCRIPT_NAME, so every link the emulator builds (next-page, the login
    form's action) keeps it, and an unmodified client only needs its base URL set to
    http://host:port/_sandbox/<name>."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(SANDBOX_PREFIX):
            name, _, rest = path[len(SANDBOX_PREFIX):].partition("/")
            environ[SANDBOX_KEY] = name
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + SANDBOX_PREFIX + name
            environ["PATH_INFO"] = "/" + rest
        elif environ.get(_SANDBOX_HEADER_KEY):
            environ[SANDBOX_KEY] = environ[_SANDBOX_HEADER_KEY]
        return self.wsgi_app(environ, start_response)


@lru_cache(maxsize=64)
def _host_url(scheme, host_header, server):
    """request.host_url as Werkzeug works it out (the Host header checked, IRI-decoded; ApiRequest
    sets no trusted_hosts), once per host rather than on every request."""
    return get_current_url(scheme, get_host(scheme, host_header, server)).rstrip("/")


def form_fields():
    """The form body of the token endpoints; media-type parameters (charset) are ignored."""
    mimetype = request.mimetype
    if request.content_length and mimetype not in (FORM, ""):
        raise errors.TokenMediaType(
            f"the token endpoint takes Content-Type {FORM}, not {request.content_type!r}")
    return {k: v for k, v in request.form.items()}


def client_credentials(form):
    """(key, secret) from Basic auth, a bare base64 Authorization value, or client_id/client_secret."""
    auth = request.headers.get("Authorization", "").strip()
    if auth:
        scheme, _, value = auth.partition(" ")
        encoded = value.strip() if scheme.lower() == "basic" else (auth if not value else None)
        if encoded is None:
            raise errors.InvalidClient(f"the Authorization header must be 'Basic base64(apiKey:apiSecret)', "
                                       f"not a {scheme!r} credential")
        try:
            key, sep, secret = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise errors.InvalidClient("the Authorization header is not valid base64 of 'apiKey:apiSecret'") from None
        if not sep:
            raise errors.InvalidClient("the Basic credential must be base64 of 'apiKey:apiSecret' (no ':' found)")
        return key, secret
    if form.get("client_id") or form.get("client_secret"):
        if not (form.get("client_id") and form.get("client_secret")):
            raise errors.InvalidClient("send both form fields client_id and client_secret")
        return form["client_id"], form["client_secret"]
    return None


def int_arg(name, default, minimum, maximum):
    """An optional integer query parameter: absent means ``default``; empty or not plain digits is a 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not INTEGER.fullmatch(raw):  # int() would also take ' 5', '1_000' and non-ASCII digits
        raise errors.MalformedRequest(f"query parameter '{name}' must be an integer, got {raw!r}")
    value = int(raw) if len(raw) <= 30 else None  # int() refuses thousands of digits
    if value is None or not minimum <= value <= maximum:
        shown = raw if len(raw) <= 30 else f"{raw[:30]}... ({len(raw)} digits)"
        raise errors.MalformedRequest(
            f"query parameter '{name}' must be between {minimum} and {maximum}, got {shown}")
    return value


def parse_locale(raw):
    """A 'locale' query value (en-US, da-dk, ...), written as 'en-US'; anything else is a 400."""
    match = LOCALE.fullmatch(raw)
    if match is None:
        raise errors.MalformedRequest(f"query parameter 'locale' must be a locale like 'en-US' or 'da-DK', got {raw!r}")
    return f"{match[1].lower()}-{match[2].upper()}"


def required_arg(name):
    value = request.args.get(name)
    if value is None or blank(value):
        raise errors.MalformedRequest(f"query parameter '{name}' is required")
    return value


def json_body():
    """A JSON object body, or a 400/415 that says what is wrong with it."""
    if request.mimetype != "application/json":
        raise errors.UnsupportedMediaType(f"send Content-Type application/json, not {request.content_type!r}")
    try:
        data = json_input.loads(request.get_data(cache=True))
    except json_input.JsonProblem as exc:
        raise errors.MalformedRequest(str(exc)) from None
    if not isinstance(data, dict):
        raise errors.MalformedRequest("the body must be a JSON object")
    return data


def bool_arg(name, default=None):
    """An optional boolean query parameter: 'true' or 'false' (any case); anything else is a 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise errors.MalformedRequest(f"query parameter '{name}' must be true or false, got {raw!r}")
    return raw.lower() == "true"


def list_arg(name):
    """A multi-value query parameter, sent repeated (stars=4&stars=5) or comma-joined (stars=4,5)."""
    values = [part.strip() for raw in request.args.getlist(name) for part in raw.split(",")]
    if any(not value for value in values):
        raise errors.MalformedRequest(f"query parameter '{name}' has an empty value")
    return values or None
