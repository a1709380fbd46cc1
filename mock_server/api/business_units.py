"""Business units: find by domain, get by id, locations (api.trustpilot.com, API key)."""

from flask import Blueprint, jsonify

from ..web.request import base_url, credentials, int_arg, required_arg, sandbox
from ..web.responses import page_links

bp = Blueprint("business_units", __name__, url_prefix="/v1/business-units")


@bp.get("/find")
def find_business_unit():
    return jsonify(sandbox().business_units.find_business_unit(credentials(), required_arg("name"), base_url()))


@bp.get("/<business_unit_id>")
def get_business_unit(business_unit_id):
    return jsonify(sandbox().business_units.get_business_unit(credentials(), business_unit_id, base_url()))


@bp.get("/<business_unit_id>/locations")
def list_business_unit_locations(business_unit_id):
    page = int_arg("page", 1, 1, 2147483647)
    per_page = int_arg("perPage", 200, 1, 200)
    found = sandbox().business_units.list_business_unit_locations(credentials(), business_unit_id, page, per_page)
    return jsonify({"locations": found.items, "links": page_links([], page, found.has_next, ("perPage", per_page))})
