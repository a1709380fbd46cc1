"""/_mock/invitations: what the Invitations API has stored (and would have e-mailed)."""

from flask import Blueprint, jsonify, request

from ..web.request import sandbox
from ..state import errors

bp = Blueprint("control_invitations", __name__, url_prefix="/_mock/invitations")


@bp.get("")
def list_sent_invitations():
    unit = request.args.get("businessUnitId")
    if unit is not None and not unit.strip():
        raise errors.MalformedRequest("query parameter 'businessUnitId' is empty; leave it out to list every unit's")
    return jsonify(sandbox().invitations.list_sent_invitations(unit))


@bp.get("/<invitation_id>")
def get_sent_invitation(invitation_id):
    return jsonify(sandbox().invitations.get_sent_invitation(invitation_id))
