"""The Consumer API: a consumer and its profile (api.trustpilot.com, API key). A consumer's
reviews (``list_consumer_reviews``) are listed by api/reviews.py, with the unit list's filters."""

from flask import Blueprint, jsonify

from ..web.request import base_url, credentials, sandbox

bp = Blueprint("consumers", __name__, url_prefix="/v1/consumers")


@bp.get("/<consumer_id>")
def get_consumer(consumer_id):
    return jsonify(sandbox().consumer_profiles.get_consumer(credentials(), consumer_id, base_url()))


@bp.get("/<consumer_id>/profile")
def get_consumer_profile(consumer_id):
    return jsonify(sandbox().consumer_profiles.get_consumer_profile(credentials(), consumer_id, base_url()))
