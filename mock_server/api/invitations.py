"""Invitations API (real host invitations-api.trustpilot.com; here the same port and paths)."""

from dataclasses import replace

from flask import Blueprint, jsonify, request

from ..web.request import credentials, json_body, sandbox

bp = Blueprint("invitations", __name__, url_prefix="/v1/private/business-units/<business_unit_id>")


@bp.post("/email-invitations")
def create_email_invitation(business_unit_id):
    sandbox().invitations.create_email_invitation(credentials(), business_unit_id, json_body())
    return "", 202


@bp.post("/invitation-links")
def create_invitation_link(business_unit_id):
    return jsonify(sandbox().invitations.create_invitation_link(_link_credentials(), business_unit_id, json_body()))


@bp.get("/templates")
def list_invitation_templates(business_unit_id):
    return jsonify(sandbox().invitations.list_invitation_templates(credentials(), business_unit_id))


@bp.post("/invitation-data/delete")
def delete_invitation_data(business_unit_id):
    return jsonify(sandbox().invitations.delete_invitation_data(credentials(), business_unit_id, json_body()))


def _link_credentials():
    """A legacy PHP client sends its token as ``?token=`` on this route only (reference §1.2):
    accepted as the bearer when there is no Authorization header."""
    creds = credentials()
    token = request.args.get("token")
    return replace(creds, bearer=token) if token and not creds.bearer else creds
