"""/_mock/sandboxes: create, list and delete isolated sandboxes on this server.

A sandbox named ``job-42`` is reached at /_sandbox/job-42/... (API, login page, and its own
/_mock control plane): point a client's base URL there.
"""

import json

from flask import Blueprint, current_app, jsonify

from .. import scenario as scenarios
from ..web.request import json_body
from ..state import errors

bp = Blueprint("sandboxes", __name__, url_prefix="/_mock/sandboxes")


def _registry():
    return current_app.extensions["sandboxes"]


@bp.get("")
def list_sandboxes():
    return jsonify({"sandboxes": _registry().list_sandboxes()})


@bp.post("")
def create_sandbox():
    body = json_body()
    unknown = body.keys() - {"name", "scenario"}
    if unknown:
        raise errors.MalformedRequest(f"unknown field(s) {', '.join(sorted(unknown))}; send 'name' and optionally "
                                      "'scenario' (a world, as in scenarios/*.yaml, written as JSON)")
    world = body.get("scenario")
    if world is not None:
        if not isinstance(world, dict):
            raise errors.MalformedRequest("'scenario' must be an object: a whole world, as in scenarios/*.yaml")
        world = scenarios.parse(json.dumps(world, indent=1, ensure_ascii=False), "<request body: scenario>")
    return jsonify(_registry().create_sandbox(body.get("name"), world)), 201


@bp.delete("/<name>")
def delete_sandbox(name):
    _registry().delete_sandbox(name)
    return "", 204
