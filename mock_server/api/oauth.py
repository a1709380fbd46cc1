"""Token endpoints (api.trustpilot.com/v1/oauth/oauth-business-users-for-applications/...)."""

from flask import Blueprint, jsonify

from ..web.request import client_credentials, form_fields, sandbox

bp = Blueprint("oauth", __name__, url_prefix="/v1/oauth/oauth-business-users-for-applications")


@bp.post("/accesstoken")
def create_access_token():
    form = form_fields()
    return jsonify(sandbox().oauth.create_access_token(client_credentials(form), form))


@bp.post("/refresh")
def refresh_access_token():
    form = form_fields()
    return jsonify(sandbox().oauth.refresh_access_token(client_credentials(form), form))


@bp.post("/revoke")
def revoke_access_token():
    form = form_fields()
    return jsonify(sandbox().oauth.revoke_access_token(client_credentials(form), form))
