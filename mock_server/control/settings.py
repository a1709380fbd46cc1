"""/_mock/settings: change the sandbox's settings at run time (until the next reset or world load)."""

import json

import jsonschema_rs
from flask import Blueprint, jsonify

from .. import scenario
from ..web.request import json_body, sandbox
from ..state import errors

bp = Blueprint("settings", __name__, url_prefix="/_mock")
_validator = None


@bp.patch("/settings")
def update_sandbox_settings():
    body = json_body()
    problems = [_problem(error) for error in _settings_schema().iter_errors(body)]
    if problems:
        raise errors.MalformedRequest("; ".join(problems))
    return jsonify(sandbox().settings.update_sandbox_settings(body))


def _settings_schema():
    """The scenario schema's ``settings``: the same rules as in a scenario file."""
    global _validator
    if _validator is None:
        schema = json.loads(scenario.SCHEMA_PATH.read_text(encoding="utf-8"))
        _validator = jsonschema_rs.validator_for({**schema["properties"]["settings"], "$defs": schema.get("$defs", {})})
    return _validator


def _problem(error):
    path = "/".join(str(part) for part in error.instance_path)
    kind = type(error.kind).__name__
    if kind == "AdditionalProperties":
        return f"unknown setting(s) {', '.join(map(repr, error.kind.unexpected))}"
    if kind == "Enum":
        return f"'{path}' must be one of {', '.join(map(str, error.kind.options))}, got {error.instance!r}"
    return f"'{path}': {error.message}" if path else error.message
