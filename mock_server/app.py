"""create_app(): the Flask application factory. The app is never a module global."""

from flask import g, jsonify, request

from . import api, control, control_access, scenario
from .api import faults
from .web.flask_app import SandboxFlask
from .web.json_output import JSONProvider
from .web.request import ApiRequest, SandboxPrefix, base_url, sandbox_name
from .rsgi import BODY_TIMEOUT
from .state.errors import EmulatorError, RequestTimeout
from .state.journal import redact_pairs, redact_query
from .state import this_process
from .state.registry import Registry
from .state.store import request_snapshot, request_was_volatile
from .web.replay import CANDIDATE, Replay, may_keep

DEFAULTS = {
    "SCENARIO": None,      # a parsed scenario dict, or None for scenarios/default.yaml
    "STATE_PATH": None,    # SQLite file shared by workers and kept across restarts; None = memory
    "FRESH_STATE": False,  # reload the scenario even when STATE_PATH already holds a world
    "LOAD_PROGRESS": None,  # called with each batch of reviews written while the default world loads
    "CONTROL_TOKEN": None,  # when set, /_mock/... needs it (control_access.py); None = open
    # Bodies past this are refused with 413 before anything reads them (emulator decision: the
    # real limit is unpublished; 64 MiB leaves room for a large scenario posted to /_mock/scenario).
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "REPLAY_ANSWERS": True,  # repeated public reads answered from the kept answer (web/replay.py)
}


def create_app(config=None):
    app = SandboxFlask(__name__)  # Flask, with what this app never uses left out of each request
    app.json = JSONProvider(app)  # orjson (web/json_output.py)
    app.request_class = ApiRequest  # the sandbox and credentials, read once per request
    app.config.from_mapping(DEFAULTS)
    app.config.update(config or {})
    app.json.sort_keys = False
    app.json.compact = True
    world = app.config["SCENARIO"] or scenario.load_file(scenario.DEFAULT_SCENARIO)
    app.extensions["sandboxes"] = Registry(world, app.config["STATE_PATH"], fresh=app.config["FRESH_STATE"],
                                           progress=app.config["LOAD_PROGRESS"])
    app.extensions["sandboxes"].get("default")  # load the world now: a broken world fails at start
    inner = Replay(app.wsgi_app, app.extensions["sandboxes"]) if app.config["REPLAY_ANSWERS"] else app.wsgi_app
    app.wsgi_app = OneSnapshot(SandboxPrefix(inner))
    app.before_request(_body_arrived)  # first: a request without its body is answered nothing else
    faults.init_app(app)  # the first before_request hook: the gateway fails before the API checks anything
    api.init_app(app)
    control.init_app(app)
    control_access.init_app(app)  # the control plane's token, when CONTROL_TOKEN is set
    app.after_request(_journal)
    app.add_url_rule("/", "get_index", get_index)
    return app


class OneSnapshot:
    """WSGI middleware: a request's reads share one snapshot per store (store.request_snapshot)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        with request_snapshot():
            return self.wsgi_app(environ, start_response)


def _body_arrived():
    """408 when the server gave up waiting for the body (rsgi.py): the one place errors are
    rendered says so, and the journal records it."""
    timed_out = request.environ.get(BODY_TIMEOUT)
    if timed_out is not None:
        seconds, length = timed_out
        declared = f" of the {length} bytes declared in Content-Length" if length else ""
        raise RequestTimeout(f"the request body{declared} did not arrive within {seconds:g} s; "
                             "send the whole body at once, or check the Content-Length header")


def _journal(response):
    """Record every emulated request (not the control plane's own) with secrets redacted."""
    req = request._get_current_object()  # one trip through Flask's proxy, not one per attribute
    if req.path.startswith("/_mock"):
        return response
    try:
        sandbox = req.sandbox
    except EmulatorError:  # the request named a sandbox that does not exist: nothing to record in
        return response
    form = redact_pairs(req.form.items(multi=True)) if req.mimetype.endswith("urlencoded") else None
    entry = {"method": req.method, "path": req.path, "query": redact_query(req.query_string.decode()),
             "status": response.status_code, "credentials": req.credentials,  # summarised by record_request
             "pid": this_process.pid}  # which server process answered: shows every worker shares one state
    if form:
        entry["form"] = form
    notes = g._get_current_object()
    if "fault" in notes:  # the fault rule (or the rate ceiling) that changed this request's answer
        entry["fault"] = notes.fault
    if notes.get("request_violations"):  # where the request breaks the contract (api/request_validation.py)
        entry["violations"] = notes.request_violations
    if may_keep(req.environ, response, notes.get("fault"), request_was_volatile()):
        req.environ[CANDIDATE] = entry  # the answer is kept, to be replayed with this entry (web/replay.py)
    sandbox.journal.record_request(entry)
    return response


def get_index():
    """The root: the login page when asked like authenticate.trustpilot.com/, else a map of the sandbox."""
    from .api.authenticate import PAGE_FIELDS, show_login_page

    if any(name in request.args for name in PAGE_FIELDS):  # a half-formed sign-in gets the page's error
        return show_login_page()
    root = base_url()
    return jsonify({
        "service": "Trustpilot partner sandbox",
        "sandbox": sandbox_name(),
        "apiBaseUrl": f"{root}/v1",
        "invitationsApiBaseUrl": f"{root}/v1",
        "authenticateUrl": f"{root}/authenticate",
        "contract": f"{root}/_mock/openapi/trustpilot.yaml",
        "controlPlane": f"{root}/_mock/openapi/control.yaml",
    })
