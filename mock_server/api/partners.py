"""Partner endpoints (program page steps 4 and 5), called with the partner's access token."""

from flask import Blueprint, jsonify

from ..web import responses
from ..web.request import credentials, sandbox

bp = Blueprint("partners", __name__, url_prefix="/v1/private/partners/<partner_id>")


@bp.get("/check/<business_unit_id>")
def check_partner_eligibility(partner_id, business_unit_id):
    body, status = responses.eligibility(sandbox().partners.check_partner_eligibility(credentials(), partner_id,
                                                                             business_unit_id))
    return jsonify(body), status


@bp.post("/key/<business_unit_id>")
def create_partner_customer_key(partner_id, business_unit_id):
    body, status = responses.customer_key(sandbox().partners.create_partner_customer_key(credentials(), partner_id,
                                                                                business_unit_id))
    return jsonify(body), status
