"""The control-plane token: when set, /_mock/... (and /_sandbox/<name>/_mock/...) need it.

``serve`` binds loopback by default, where anyone who can connect already owns the machine, so
no token is needed there. On any other address the control plane (which can reset the world,
read the journal and see every sandbox) needs ``CONTROL_TOKEN``: ``serve --control-token``, the
environment variable TRUSTPILOT_SANDBOX_CONTROL_TOKEN, or one ``serve`` generates and prints once.

A client sends it in its own header, ``X-Sandbox-Control-Token`` (never ``Authorization``: that
header belongs to the emulated API's credentials). A browser opens ``/_mock/dashboard?token=T``
once: the answer sets an HttpOnly, SameSite=Strict cookie and redirects to the page without the
token in its address, and the page's own calls then carry the cookie. Emulated routes never
need the token.
"""

import hmac
import ipaddress
import secrets
from urllib.parse import urlencode

from flask import current_app, redirect, request

from .state import errors

HEADER = "X-Sandbox-Control-Token"
COOKIE = "sandbox_control_token"
QUERY = "token"
DASHBOARD = "/_mock/dashboard"
ENVIRONMENT = "TRUSTPILOT_SANDBOX_CONTROL_TOKEN"
HOW = (f"send the header {HEADER}: <token> (serve prints the token it generated at start; or it is "
       f"the one given with --control-token or ${ENVIRONMENT}); in a browser open "
       f"{DASHBOARD}?{QUERY}=<token> once")


def init_app(app):
    app.before_request(require_control_token)


def require_control_token():
    """Refuse control-plane requests without the server's token; emulated routes pass untouched."""
    expected = current_app.config.get("CONTROL_TOKEN")
    if not expected or not request.path.startswith("/_mock"):
        return None
    if request.path == DASHBOARD and QUERY in request.args:
        return _open_dashboard(expected)
    given = request.headers.get(HEADER) or request.cookies.get(COOKIE)
    if not given:
        raise errors.MissingControlToken(f"{request.method} {request.path} is on the control plane, which "
                                         f"this server guards with a token: {HOW}")
    if not _same(given, expected):
        raise errors.WrongControlToken(f"the control-plane token sent is not this server's: {HOW}")
    return None


def _open_dashboard(expected):
    """``?token=`` on the dashboard: keep it in a cookie, then show the page without it in the address."""
    if not _same(request.args[QUERY], expected):
        raise errors.WrongControlToken(f"the token in the address is not this server's: {HOW}")
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != QUERY]
    response = redirect(request.script_root + DASHBOARD + (f"?{urlencode(rest)}" if rest else ""), code=303)
    # Path "/": the same cookie then opens every sandbox's dashboard (/_sandbox/<name>/_mock/...).
    response.set_cookie(COOKIE, expected, path="/", httponly=True, samesite="Strict")
    return response


def _same(given, expected):
    return hmac.compare_digest(given.encode(), expected.encode())


def is_loopback(host):
    """Whether ``host`` (as given to --host) only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost, or '' (all addresses)


def control_token_for(host, given=None):
    """(token, generated): ``given``; else a new one when ``host`` is not loopback; else no token."""
    if given:
        return given, False
    if is_loopback(host):
        return None, False
    return secrets.token_urlsafe(24), True
