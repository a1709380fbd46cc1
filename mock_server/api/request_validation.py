"""Requests to emulated routes checked against openapi/trustpilot.yaml before their view runs.

The sandbox's setting ``requestValidation`` picks the mode (scenario ``settings``, or
``PATCH /_mock/settings`` at run time):
  * ``strict``  - a violation is answered with the route's documented 400 (ServiceError 1001,
    OAuth ``invalid_request`` on the token endpoints, the HTML error page on the login page);
  * ``lenient`` - the view answers as usual (the default: the emulator's own messages stay first);
  * ``off``     - nothing is checked.
In strict and lenient mode the journal entry of a request that breaks the contract carries
``violations``. Never checked here: credentials (a request whose credentials would not pass
gets its 401/403 from the view, also in strict mode), the /_mock control plane, responses.
Path parameters are recorded but never refused: an id of the wrong shape names nothing, and
the view's 404 says so (emulator decision: the real API's answer to such ids is unknown).
"""

import re
from functools import lru_cache

from flask import current_app, g, request

from ..request_contract import RequestContract, RequestParts
from ..state import errors

ERRORS = {"service": errors.RequestViolatesContract, "oauth": errors.TokenRequestViolatesContract,
          "page": errors.LoginRequestViolatesContract}
FLASK_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
SPEC_ARGUMENT = re.compile(r"{([^{}]+)}")


def init_app(app):
    app.extensions["request_contract"] = RequestContract()
    app.before_request(check_request)


def check_request():
    """Find the request's violations; raise the documented 400 in strict mode, else note them."""
    req = request._get_current_object()  # one trip through Flask's proxy, not one per attribute
    if req.url_rule is None or req.method == "OPTIONS" or req.path.startswith("/_mock"):
        return  # no route (the 404/405 handler answers), or the control plane
    try:
        addressed = req.sandbox
    except errors.EmulatorError:
        return  # an unknown sandbox: the view answers that
    mode = addressed.settings.get_request_validation_mode()
    if mode == "off":
        return
    app = current_app._get_current_object()
    contract = app.extensions["request_contract"]
    operation = contract.operation(app.view_functions[req.endpoint].__name__)
    if operation is None:
        return
    violations = _check(contract, operation, req)
    if not violations:
        return
    g.request_violations = violations
    # A path that names nothing is the view's 404, as with any unknown id: never rejected here.
    rejected = [v for v in violations if v["in"] != "path"]
    if mode == "strict" and rejected and _credentials_would_pass(addressed, operation, req):
        raise _error(operation, rejected, req)


# Violations of body-less requests, by everything the check reads: the same find or page asked
# again (an integration polling) is not validated again. Emptied when full; values are read-only.
_KNOWN = {}
_KNOWN_MAX = 4096


def _check(contract, operation, req):
    if operation.body is not None:
        return contract.check(operation, _parts(operation, req))
    key = (operation.operation_id, tuple(req.view_args.items()) if req.view_args else (), req.query_string,
           tuple(req.headers.get(name) for name in operation.header_names))
    violations = _KNOWN.get(key)
    if violations is None:
        violations = contract.check(operation, _parts(operation, req))
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        _KNOWN[key] = violations
    return violations


def _error(operation, violations, req):
    """The route's documented 400; an unknown grant_type is RFC 6749's unsupported_grant_type."""
    details = "; ".join(v["message"] for v in violations)
    if operation.error_family == "oauth" and "grant_type" in req.form and any(
            v["in"] == "body" and v["name"] == "grant_type" for v in violations):
        return errors.UnsupportedGrantType(details, violations=violations)
    return ERRORS[operation.error_family](details, violations=violations)


def _credentials_would_pass(addressed, operation, req):
    """Strict mode never answers 400 where the view would answer 401/403 for the credentials."""
    return operation.anonymous or addressed.access.credentials_accepted(req.credentials, private=operation.bearer_only)


def _parts(operation, req):
    path = {spec: req.view_args[flask] for spec, flask in _path_names(operation.path, req.url_rule.rule)}
    has_body = operation.body is not None
    body = req.get_data(cache=True) if has_body else b""  # before .form, which would consume it
    form = list(req.form.items(multi=True)) if has_body and req.mimetype.endswith("urlencoded") else []
    # Neither the query nor the media type is parsed when there is none to check.
    return RequestParts(path=path, query=dict(req.args.lists()) if req.query_string else {}, headers=req.headers,
                        media_type=req.mimetype if has_body else "", body=body, form=form)


@lru_cache(maxsize=None)  # one entry per route of the app
def _path_names(spec_path, flask_rule):
    """(contract name, Flask argument name) of each path parameter, in order."""
    return tuple(zip(SPEC_ARGUMENT.findall(spec_path), FLASK_ARGUMENT.findall(flask_rule)))
