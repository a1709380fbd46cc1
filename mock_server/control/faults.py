"""/_mock/faults and /_mock/rate-ceiling: fault rules on the emulated routes and the rate ceiling.

Bodies are checked against the same definitions a scenario's ``faults:`` and
``settings.rateCeiling`` are (scenarios/schema.json), so a rule means the same wherever it is
written; the first problem is a 400 naming the field.
"""

import json
from functools import lru_cache

import jsonschema_rs
from flask import Blueprint, jsonify

from .. import scenario
from ..web.request import json_body, sandbox
from ..state import errors
from ..state.fault_presets import PRESETS
from ..yaml_document import dotted

bp = Blueprint("control_faults", __name__, url_prefix="/_mock")

# Messages for the schema's combinators, by (field path, keyword): the generic ones say nothing.
MESSAGES = {
    ((), "AnyOf"): "a rule needs an effect: give 'response', 'latencyMs' and/or 'drop'",
    ((), "Not"): "'drop' and 'response' exclude each other: a dropped connection sends no response",
    (("response",), "AnyOf"): "'response' needs a 'preset' (" + ", ".join(PRESETS) + ") or a 'status'",
    (("path",), "Not"): "faults never apply to the control plane: 'path' must not start with /_mock",
}


@bp.get("/faults")
def list_fault_rules():
    return jsonify(sandbox().faults.list_fault_rules())


@bp.post("/faults")
def create_fault_rule():
    return jsonify(sandbox().faults.create_fault_rule(_checked(json_body(), "faultRule"))), 201


@bp.delete("/faults")
def clear_fault_rules():
    sandbox().faults.clear_fault_rules()
    return "", 204


@bp.get("/faults/<rule_id>")
def get_fault_rule(rule_id):
    return jsonify(sandbox().faults.get_fault_rule(rule_id))


@bp.delete("/faults/<rule_id>")
def delete_fault_rule(rule_id):
    sandbox().faults.delete_fault_rule(rule_id)
    return "", 204


@bp.get("/rate-ceiling")
def get_rate_ceiling():
    return jsonify(sandbox().faults.get_rate_ceiling())


@bp.put("/rate-ceiling")
def set_rate_ceiling():
    return jsonify(sandbox().faults.set_rate_ceiling(_checked(json_body(), "rateCeiling")))


def _checked(body, definition):
    error = next(_validator(definition).iter_errors(body), None)
    if error is None:
        return body
    path, kind = tuple(error.instance_path), type(error.kind).__name__
    message = MESSAGES.get((path, kind))
    if message is None and kind == "AdditionalProperties":
        unexpected = ", ".join(repr(name) for name in error.kind.unexpected)
        message = f"unknown field(s) {unexpected} in {dotted(path) or 'the body'}"
    elif message is None:
        message = f"'{dotted(path) or '(body)'}': {error.message}"
    raise errors.MalformedRequest(message)


@lru_cache(maxsize=None)
def _validator(definition):
    schema = json.loads(scenario.SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for({"$schema": schema["$schema"], "$defs": schema["$defs"],
                                        "$ref": f"#/$defs/{definition}"})
