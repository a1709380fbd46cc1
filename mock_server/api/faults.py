"""Fault injection on the emulated routes: before each request, ask the sandbox for a decision
(state/faults.py) and apply it - wait, answer instead of the route, or drop the connection.

Never on /_mock. The decision is kept in ``g.fault`` for the journal. Latency is real time, not
the virtual clock: under ``serve`` the server waits before sending the answer, without holding
its worker (rsgi.py); in-process, ``time.sleep`` before the route runs.

Dropping a connection: the response's body raises ConnectionDropped (a ConnectionResetError,
errno ECONNRESET) before any byte is written. Under ``serve`` the server then shuts the
connection down unanswered (rsgi.py), so the client sees it closed without a response
(``requests`` raises ConnectionError); Werkzeug's development server closes it too.
The in-process test client has no socket: the error comes out of ``client.get(...)`` itself.
The journal records such a request with status 444 (nginx's "closed without response").
"""

import errno
import json
import time

from flask import Response, g, request

from ..rsgi import DEFERS_LATENCY, LATENCY
from ..state.errors import EmulatorError
from ..state.fault_presets import RawResponse
from ..state.faults import RequestFacts
from .errors import render

DROPPED_STATUS = 444
FRAMING_HEADERS = {"content-length", "transfer-encoding", "connection"}  # the server's, never a rule's


class ConnectionDropped(ConnectionResetError):
    """A fault rule dropped the connection: there is no response."""


def init_app(app):
    app.before_request(apply_fault)


def apply_fault():
    req = request._get_current_object()  # one trip through Flask's proxy, not one per attribute
    if req.path.startswith("/_mock") or req.endpoint == "static":
        return None
    try:
        box = req.sandbox
    except EmulatorError:
        return None  # an unknown sandbox: the route itself says so
    decision = box.faults.fault_for(RequestFacts(req.method, req.path, req.credentials))
    if decision is None:
        return None
    g.fault = decision.journal()
    if decision.latency_ms:
        if req.environ.get(DEFERS_LATENCY):  # the server waits before answering, its worker free (rsgi.py)
            req.environ[LATENCY] = decision.latency_ms / 1000
        else:
            time.sleep(decision.latency_ms / 1000)
    if decision.drop:
        return _dropped(decision.rule)
    if decision.base is None:
        return None  # latency only: the route answers
    return _respond(decision)


def _respond(decision):
    base = decision.base
    if isinstance(base, RawResponse):
        status = f"{base.status} {base.reason}" if base.reason else base.status
        response = Response(base.body, status=status, content_type=base.content_type)
        for name, value in base.headers.items():
            response.headers[name] = value
    else:
        response = render(base)
    override = decision.override
    if "status" in override:
        response.status_code = override["status"]
    if "body" in override:
        body = override["body"]
        response.set_data(body if isinstance(body, str) else json.dumps(body))
        response.content_type = "text/plain; charset=utf-8" if isinstance(body, str) else "application/json"
    if "contentType" in override:
        response.content_type = override["contentType"]
    for name, value in override.get("headers", {}).items():
        if name.lower() not in FRAMING_HEADERS:
            response.headers[name] = value
    return response


def _dropped(rule_id):
    def body():
        raise ConnectionDropped(errno.ECONNRESET, f"the sandbox dropped the connection (fault rule {rule_id!r})")
        yield b""  # a generator: the error comes when the server starts sending

    return Response(body(), status=DROPPED_STATUS, content_type="text/plain")
