"""The Resources API (no credentials), a business unit's images (API key), and the image
files the sandbox draws for both (``/_images/...``: the sandbox's own, no credentials, so a
browser's <img> loads them)."""

import re

from flask import Blueprint, Response, jsonify, request

from ..state import errors
from ..state.images import STAR_VALUES
from ..web.request import base_url, credentials, sandbox

bp = Blueprint("resources", __name__)
LOCALE = re.compile(r"[a-z]{2}-[A-Z]{2}")


@bp.get("/v1/resources/images/stars/<stars>")
def get_star_images(stars):
    return jsonify(sandbox().resources.get_star_images(_stars(stars), base_url()))


@bp.get("/v1/resources/strings/stars/<stars>")
def get_star_string(stars):
    return jsonify(sandbox().resources.get_star_string(_stars(stars), _locale("locale")))


@bp.get("/v1/resources/metadata/locales")
def list_locales():
    return jsonify(sandbox().resources.list_locales(_locale("translationLocale")))


@bp.get("/v1/resources/metadata/countries")
def list_countries():
    return jsonify(sandbox().resources.list_countries(_locale("locale")))


@bp.get("/v1/business-units/<business_unit_id>/images")
def get_business_unit_images(business_unit_id):
    return jsonify(sandbox().resources.get_business_unit_images(credentials(), business_unit_id, base_url()))


@bp.get("/v1/business-units/<business_unit_id>/images/logo")
def get_business_unit_logo(business_unit_id):
    location_id = request.args.get("locationId") or None
    return jsonify(sandbox().resources.get_business_unit_logo(credentials(), business_unit_id, location_id,
                                                              base_url()))


@bp.get("/_images/<name>")
def get_image(name):
    image = sandbox().resources.get_image(name)
    # Drawn from the name alone (and a unit's id): the same bytes for as long as the world lasts.
    return Response(image.data, mimetype=image.mimetype, headers={"Cache-Control": "public, max-age=3600"})


def _stars(raw):
    if raw not in STAR_VALUES:
        raise errors.MalformedRequest(f"stars must be one of {', '.join(STAR_VALUES)}, got {raw!r}")
    return raw


def _locale(name):
    """An optional locale query parameter (en-US, da-DK, ...)."""
    raw = request.args.get(name)
    if raw is not None and not LOCALE.fullmatch(raw):
        raise errors.MalformedRequest(f"query parameter '{name}' must be a locale like 'en-US' or 'da-DK', got {raw!r}")
    return raw
