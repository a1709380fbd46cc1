"""Showcase business-unit endpoints: profile info, web links, categories, search, list all.

``/v1/business-units/search`` and ``/all`` share their prefix with ``/<business_unit_id>``;
Werkzeug ranks static path parts above converters, so they are never taken for an id.
"""

import re

from flask import Blueprint, jsonify, request

from ..state import errors
from ..web.request import base_url, credentials, int_arg, parse_locale, required_arg, sandbox
from ..web.responses import page_links, token_links

bp = Blueprint("showcase", __name__, url_prefix="/v1/business-units")

COUNTRY = re.compile(r"[A-Za-z]{2}")
OBJECT_ID = re.compile(r"[0-9a-f]{24}")
# Searched, not fullmatched: the contract's pattern as Python reads it ('$' may precede a final newline).
COUNTRY_LIST = re.compile(r"^[A-Za-z]{2}(,[A-Za-z]{2})*$")
SEARCH_PER_PAGE, ALL_PER_PAGE = 100, 1000


@bp.get("/<business_unit_id>/profileinfo")
def get_business_unit_profile_info(business_unit_id):
    return jsonify(sandbox().showcase.get_business_unit_profile_info(credentials(), business_unit_id, base_url()))


@bp.get("/<business_unit_id>/web-links")
def get_business_unit_web_links(business_unit_id):
    locale = parse_locale(required_arg("locale"))
    return jsonify(sandbox().showcase.get_business_unit_web_links(credentials(), business_unit_id, locale, base_url()))


@bp.get("/<business_unit_id>/categories")
def list_business_unit_categories(business_unit_id):
    country, locale = _country(), request.args.get("locale")
    return jsonify(sandbox().showcase.list_business_unit_categories(
        credentials(), business_unit_id, country, parse_locale(locale) if locale is not None else None, base_url()))


@bp.get("/search")
def search_business_units():
    query, country = required_arg("query"), _country()
    page = int_arg("page", 1, 1, 2147483647)
    # The reference spells it 'perpage' here (lower case); 'perPage' is accepted too.
    sizes = [int_arg(name, None, 1, SEARCH_PER_PAGE) for name in ("perpage", "perPage")]
    per_page = next((size for size in sizes if size is not None), 20)
    found = sandbox().showcase.search_business_units(credentials(), query, country, page, per_page, base_url())
    filters = [("query", query), *([("country", country)] if country else [])]
    return jsonify({"businessUnits": found.items,
                    "links": page_links(filters, page, found.has_next, ("perpage", per_page))})


@bp.get("/all")
def list_all_business_units():
    countries = _countries()
    page = int_arg("page", None, 1, 2147483647)
    per_page = int_arg("perPage", ALL_PER_PAGE, 1, ALL_PER_PAGE)
    cursor = request.args.get("cursor")
    if cursor is not None and not OBJECT_ID.fullmatch(cursor):
        raise errors.MalformedRequest(
            f"query parameter 'cursor' must be the 'cursor' of a previous page, got {cursor!r}")
    found = sandbox().showcase.list_all_business_units(credentials(), countries, page, per_page, cursor, base_url())
    filters = [("country", ",".join(countries))] if countries else []
    if cursor is None:
        links = page_links(filters, page or 1, found.has_next, ("perPage", per_page))
    else:
        links = token_links([*filters, ("perPage", per_page)], "cursor", found.next_token)
    return jsonify({"businessUnits": found.items, "links": links, "cursor": found.next_token})


def _country():
    raw = request.args.get("country")
    if raw is None:
        return None
    if not COUNTRY.fullmatch(raw):
        raise errors.MalformedRequest(
            f"query parameter 'country' must be a two-letter country code like 'DK', got {raw!r}")
    return raw.upper()


def _countries():
    """'country' on /all: comma-joined (DK,GB) or repeated country codes."""
    values = request.args.getlist("country")
    for raw in values:
        if not COUNTRY_LIST.search(raw):
            raise errors.MalformedRequest(
                "query parameter 'country' must be two-letter country codes joined by commas, "
                f"like 'DK,GB', got {raw!r}")
    return [code.strip().upper() for raw in values for code in raw.split(",")] or None
