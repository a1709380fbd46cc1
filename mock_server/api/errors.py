"""The one place where errors become responses, in the documented Trustpilot body shapes."""

import uuid

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..state import errors


def body_of(error):
    """The JSON body of an EmulatorError, by family (see state/errors.py)."""
    if error.family == "oauth":
        # Apigee's {ErrorCode, Error} plus the RFC 6749 names, so generic OAuth libraries
        # (requests-oauthlib, authlib) read the reason too.
        return {"ErrorCode": error.code, "Error": error.details,
                "error": error.code, "error_description": error.details}
    if error.family == "fault":
        if error.fixed_faultstring:
            return {"fault": {"faultstring": error.message,
                              "detail": {"errorcode": error.code, "reason": error.details}}}
        return {"fault": {"faultstring": f"{error.message}: {error.details}", "detail": {"errorcode": error.code}}}
    return {"message": error.message, "errorCode": error.code, "details": error.details,
            "correlationId": str(uuid.uuid4())}


def render(error):
    if error.family == "page":
        args = {k: v for k, v in request.values.items() if k not in ("username", "password")}
        html = render_template("login_error.html", error=error, form=error.status == 401, args=args)
        return html, error.status, {"Content-Type": "text/html; charset=utf-8"}
    response = jsonify(body_of(error))
    response.status_code = error.status
    for name, value in error.extra.get("headers", {}).items():
        response.headers[name] = value
    return response


def render_http_exception(exc):
    """Werkzeug's own 404/405/... (no route matched) rendered like every other error."""
    if exc.code == 404:
        error = errors.NotFound(f"no endpoint {request.method} {request.path} in this sandbox; "
                                "the contract is served at /_mock/openapi/trustpilot.yaml")
    elif exc.code == 405:
        allowed = ", ".join(sorted(exc.valid_methods or []))
        error = errors.MethodNotAllowed(f"{request.method} is not allowed on {request.path}; allowed: {allowed}",
                                        headers={"Allow": allowed})
    elif exc.code == 500:
        error = errors.EmulatorError("the emulator failed while handling this request; this is a bug in the "
                                     "sandbox, please report it with the request that caused it")
        error.status, error.code, error.message = 500, 1500, "Internal server error"
    elif exc.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        error = errors.PayloadTooLarge(f"the request body is too large (at most {limit} bytes)" if limit
                                       else "the request body is too large")
    else:
        error = errors.MalformedRequest(exc.description or exc.name)
        error.status = exc.code
    return render(error)


def init_app(app):
    app.register_error_handler(errors.EmulatorError, render)
    app.register_error_handler(HTTPException, render_http_exception)
