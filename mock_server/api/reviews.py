"""Service reviews: public and private lists, single reviews, all-reviews, replies and tags."""

import re

from flask import Blueprint, jsonify, request

from ..state import errors
from ..state.clock import iso, parse_iso
from ..state.reviews.query import ORDERS, ReviewFilter
from ..state.text import blank
from ..web.request import (base_url, bool_arg, credentials, int_arg, json_body, list_arg, parse_locale, required_arg,
                           sandbox)
from ..web.responses import page_links, request_filters, token_links

bp = Blueprint("reviews", __name__)
LANGUAGE = re.compile(r"[a-z]{2}")
# The contract's pattern for a reply's submittedAt: a date-time, zone optional (the docs' example has none).
SUBMITTED_AT = re.compile(r"(19[7-9][0-9]|[2-8][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                          r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
                          r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?")
FIND_REVIEWER = ("contacted", "notContacted")


@bp.get("/v1/business-units/<business_unit_id>/reviews")
def list_business_unit_reviews(business_unit_id):
    where = ReviewFilter(**_public_filters(business_unit_id),
                         reported=None if bool_arg("includeReportedReviews", False) else False)
    return _page(sandbox().reviews.list_business_unit_reviews, where)


@bp.get("/v1/private/business-units/<business_unit_id>/reviews")
def list_private_business_unit_reviews(business_unit_id):
    filters = _public_filters(business_unit_id)
    filters.update(ignore_tag_value_case=bool_arg("ignoreTagValueCase", False), reported=bool_arg("reported"),
                   start=_date_arg("startDateTime"), end=_date_arg("endDateTime"),
                   reference_id=request.args.get("referenceId"), referral_email=request.args.get("referralEmail"),
                   source=request.args.get("source"), username=request.args.get("username"),
                   find_reviewer=_choice_arg("findReviewer", FIND_REVIEWER))
    return _page(sandbox().reviews.list_private_business_unit_reviews, ReviewFilter(**filters))


@bp.get("/v1/consumers/<consumer_id>/reviews")
def list_consumer_reviews(consumer_id):
    """The unit list's parameters, plus ``businessUnitId`` (the Consumer API, reference §3.3)."""
    unit_id = request.args.get("businessUnitId") or None
    where = ReviewFilter(**{**_public_filters(unit_id), "consumer_id": consumer_id},
                         reported=None if bool_arg("includeReportedReviews", False) else False)
    return _page(sandbox().consumer_profiles.list_consumer_reviews, where)


@bp.get("/v1/business-units/<business_unit_id>/all-reviews")
def list_all_business_unit_reviews(business_unit_id):
    token, per_page = request.args.get("pageToken") or None, int_arg("perPage", 100, 1, 100)
    found = sandbox().reviews.list_all_business_unit_reviews(credentials(), business_unit_id, token, per_page, base_url())
    links = token_links(request_filters("pageToken"), "pageToken", found.next_token)
    return jsonify({"links": links, "reviews": found.items, "nextPageToken": found.next_token})


@bp.get("/v1/reviews/<review_id>")
def get_review(review_id):
    return jsonify(sandbox().reviews.get_review(credentials(), review_id, base_url()))


@bp.get("/v1/reviews/<review_id>/likes")
def get_review_likes(review_id):
    return jsonify(sandbox().reviews.get_review_likes(credentials(), review_id, base_url()))


@bp.get("/v1/reviews/<review_id>/web-links")
def get_review_web_links(review_id):
    locale = parse_locale(required_arg("locale"))
    return jsonify(sandbox().reviews.get_review_web_links(credentials(), review_id, locale, base_url()))


@bp.get("/v1/reviews/latest")
def list_latest_reviews():
    """``language`` required (ISO 639-1, repeated or comma-joined; ``all`` = every language),
    ``count`` 1..100 (default 20); ``locale`` checked, not used."""
    languages = _languages(required=True)
    count = int_arg("count", 20, 1, 100)
    if request.args.get("locale") is not None:
        parse_locale(request.args["locale"])
    with_images = bool_arg("filterUsersWithoutImages", False)
    return jsonify(sandbox().reviews.list_latest_reviews(credentials(), languages, count, with_images, base_url()))


@bp.get("/v1/private/reviews/<review_id>")
def get_private_review(review_id):
    return jsonify(sandbox().reviews.get_private_review(credentials(), review_id, base_url()))


@bp.post("/v1/private/reviews/<review_id>/reply")
def create_review_reply(review_id):
    body = json_body()
    author = body.get("authorBusinessUserId")
    if author is not None and not (isinstance(author, str) and re.fullmatch(r"[0-9a-f]{24}", author)):
        raise errors.MalformedRequest("'authorBusinessUserId' must be a business user id (24 hex characters)")
    _check_submitted_at(body.get("submittedAt"))
    sandbox().reviews.create_review_reply(credentials(), review_id, body.get("message"), author)
    return "", 201


@bp.delete("/v1/private/reviews/<review_id>/reply")
def delete_review_reply(review_id):
    sandbox().reviews.delete_review_reply(credentials(), review_id)
    return "", 204


@bp.get("/v1/private/reviews/<review_id>/tags")
def get_review_tags(review_id):
    return jsonify(sandbox().reviews.get_review_tags(credentials(), review_id))


@bp.put("/v1/private/reviews/<review_id>/tags")
def add_review_tags(review_id):
    return jsonify(sandbox().reviews.add_review_tags(credentials(), review_id, _tags_body()))


@bp.post("/v1/private/reviews/<review_id>/tags")
def set_review_tags(review_id):
    return jsonify(sandbox().reviews.set_review_tags(credentials(), review_id, _tags_body()))


@bp.delete("/v1/private/reviews/<review_id>/tags")
def delete_review_tags(review_id):
    group, value = request.args.get("group"), request.args.get("value")
    if not group or not value:
        raise errors.MalformedRequest("query parameters 'group' and 'value' are both required")
    sandbox().reviews.delete_review_tags(credentials(), review_id, group, value)
    return "", 204


# -- parsing -------------------------------------------------------------------------------
def _page(operation, where):
    order = _choice_arg("orderBy", tuple(ORDERS)) or "createdat.desc"
    page, per_page = int_arg("page", 1, 1, 2147483647), int_arg("perPage", 20, 1, 100)
    found = operation(credentials(), where, order, page, per_page, base_url())
    links = page_links(request_filters("page", "perPage"), page, found.has_next, ("perPage", per_page))
    return jsonify({"links": links, "reviews": found.items})


def _public_filters(business_unit_id):
    stars = list_arg("stars") or []
    if any(s not in ("1", "2", "3", "4", "5") for s in stars):
        raise errors.MalformedRequest(f"query parameter 'stars' takes 1 to 5, got {','.join(stars)!r}")
    languages = _languages()
    return {"unit_id": business_unit_id, "stars": tuple(int(s) for s in stars), "languages": tuple(languages),
            "location_id": request.args.get("internalLocationId") or request.args.get("locationId"),
            "tag_group": request.args.get("tagGroup"), "tag_value": request.args.get("tagValue"),
            "responded": bool_arg("responded")}


def _languages(required=False):
    """'language': ISO 639-1 codes, repeated or comma-joined; 'all' means no filter."""
    given = list_arg("language")
    if required and not given:
        raise errors.MalformedRequest("query parameter 'language' is required (an ISO 639-1 code like 'en', or 'all')")
    languages = [lang for lang in given or [] if lang != "all"]
    bad = [lang for lang in languages if not LANGUAGE.fullmatch(lang)]
    if bad:
        raise errors.MalformedRequest(f"query parameter 'language' takes ISO 639-1 codes like 'en', got {bad[0]!r}")
    return languages


def _choice_arg(name, choices):
    value = request.args.get(name)
    if value is not None and value not in choices:
        raise errors.MalformedRequest(f"query parameter '{name}' must be one of {', '.join(choices)}, got {value!r}")
    return value


def _date_arg(name):
    """startDateTime/endDateTime: ISO-8601; no zone means UTC, no time means midnight."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return iso(parse_iso(raw if "T" in raw else raw + "T00:00:00"))
    except (ValueError, OverflowError, OSError):
        raise errors.MalformedRequest(f"query parameter '{name}' must be an ISO-8601 date-time like "
                                      f"2024-01-31T00:00:00, got {raw!r}") from None


def _check_submitted_at(value):
    """A reply's optional 'submittedAt' (newest docs, e.g. 2024-07-15T12:00:00): checked, not stored,
    because what the real API does with it is undocumented."""
    if value is None:
        return
    if not isinstance(value, str) or not SUBMITTED_AT.fullmatch(value):
        raise errors.MalformedRequest(f"'submittedAt' must be an ISO-8601 date-time like 2024-07-15T12:00:00 "
                                      f"(years 1970 to 8999), got {value!r}")
    try:
        parse_iso(value)
    except ValueError:
        raise errors.MalformedRequest(f"'submittedAt' {value!r} is not a date that exists") from None


def _tags_body():
    tags = json_body().get("tags")
    if not isinstance(tags, list) or not all(
            isinstance(t, dict) and all(isinstance(t.get(k), str) and not blank(t.get(k)) for k in ("group", "value"))
            for t in tags):
        raise errors.MalformedRequest("the body must be {\"tags\": [{\"group\": \"...\", \"value\": \"...\"}, ...]} "
                                      "with non-empty strings")
    return tags
