"""/_mock/...: reset, load a world, inspect state, journal, clock, business-unit settings, specs."""

from flask import Blueprint, jsonify, request, send_from_directory

from .. import scenario, yaml_document
from ..resources import OPENAPI_DIR
from ..web.request import int_arg, json_body, sandbox
from ..state import errors

bp = Blueprint("control", __name__, url_prefix="/_mock")
ADVANCE_LIMITS = {"seconds": 10 * 365 * 24 * 3600, "hours": 10 * 365 * 24}
SCENARIO_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "application/json", "text/plain")


@bp.post("/reset")
def reset_sandbox():
    return jsonify(sandbox().control.reset_sandbox())


@bp.post("/scenario")
def load_scenario():
    if request.mimetype not in SCENARIO_TYPES:
        raise errors.UnsupportedMediaType(
            f"send the scenario as YAML (application/yaml) or JSON (application/json), not {request.content_type!r}")
    text = yaml_document.decode(request.get_data(), "<request body>", errors.InvalidScenario)
    if not text.strip():
        raise errors.InvalidScenario("<request body>: the body is empty; send a scenario (YAML or JSON)")
    return jsonify(sandbox().control.load_scenario(scenario.parse(text, "<request body>")))


@bp.get("/state")
def get_sandbox_state():
    return jsonify(sandbox().control.get_sandbox_state())


@bp.get("/secrets")
def list_sandbox_secrets():
    return jsonify(sandbox().control.list_sandbox_secrets())


@bp.get("/journal")
def list_journal():
    return jsonify(sandbox().journal.list_journal(since=int_arg("since", 0, 0, 2**62), limit=int_arg("limit", 100, 1, 10000)))


@bp.delete("/journal")
def clear_journal():
    sandbox().journal.clear_journal()
    return "", 204


@bp.get("/clock")
def get_clock():
    return jsonify(sandbox().control.get_clock())


@bp.post("/clock/advance")
def advance_clock():
    body = json_body()
    if not body.keys() or body.keys() - {"seconds", "hours"}:
        raise errors.MalformedRequest('send {"seconds": N} and/or {"hours": N}, nothing else')
    _check_numbers(body)
    seconds = body.get("seconds", 0) + 3600 * body.get("hours", 0)
    return jsonify(sandbox().control.advance_clock(seconds))


@bp.patch("/business-units/<business_unit_id>")
def update_business_unit_settings(business_unit_id):
    body = json_body()
    unknown = body.keys() - {"plan", "partnerPermissions"}
    if unknown:
        raise errors.MalformedRequest(f"unknown field(s) {', '.join(sorted(unknown))}; "
                                      "send 'plan' and/or 'partnerPermissions'")
    if "partnerPermissions" in body and not isinstance(body["partnerPermissions"], bool):
        raise errors.MalformedRequest("'partnerPermissions' must be true or false")
    if "plan" in body and not isinstance(body["plan"], str):
        raise errors.MalformedRequest("'plan' must be a string")
    return jsonify(sandbox().control.update_business_unit_settings(
        business_unit_id, plan=body.get("plan"), partner_permissions=body.get("partnerPermissions")))


@bp.get("/openapi/<name>")
def get_openapi_document(name):
    if name not in ("trustpilot.yaml", "control.yaml"):
        raise errors.NotFound(f"no contract {name!r}; there are trustpilot.yaml and control.yaml")
    return send_from_directory(OPENAPI_DIR, name, mimetype="application/yaml")


def _check_numbers(body):
    """Each of seconds and hours: a number, never negative, at most ten years."""
    for field, limit in ADVANCE_LIMITS.items():
        value = body.get(field, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise errors.MalformedRequest(f"'{field}' must be a number of {field}, got {value!r}")
        if value < 0:
            raise errors.MalformedRequest(f"the clock only moves forward: '{field}' must be >= 0")
        if value > limit:
            raise errors.MalformedRequest(f"'{field}' is too large: at most {limit} {field} (ten years)")
