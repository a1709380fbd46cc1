"""/_mock/... consumer activity: a consumer writes or edits a review, someone reports one.

Each view checks its JSON body (types, ranges, unknown fields -> 400 naming the field), makes
its one state call, then wakes the webhook deliverer for the events that call published.
"""

import re

from flask import Blueprint, jsonify

from ..web.request import base_url, json_body, sandbox
from ..state import errors
from ..state.clock import EARLIEST, LATEST, parse_iso

bp = Blueprint("control_consumers", __name__, url_prefix="/_mock")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _stars(name, value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON does not tell 4 from 4.0
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise errors.MalformedRequest(f"'{name}' must be an integer from 1 to 5, got {value!r}")
    return value


def _string(min_length=0, pattern=None, meaning=None):
    def check(name, value):
        if not isinstance(value, str):
            raise errors.MalformedRequest(f"'{name}' must be a string, got {value!r}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise errors.MalformedRequest(f"'{name}' is not valid Unicode text (a lone surrogate)") from None
        if len(value) < min_length:
            raise errors.MalformedRequest(f"'{name}' must not be empty")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise errors.MalformedRequest(f"'{name}' must be {meaning}, got {value!r}")
        return value
    return check


def _date_time(name, value):
    _string(pattern=DATE_TIME, meaning="an ISO-8601 date-time such as 2026-03-01T09:00:00Z")(name, value)
    try:
        instant = parse_iso(value)
    except ValueError:
        raise errors.MalformedRequest(f"'{name}' {value!r} is not a valid date-time") from None
    if not EARLIEST <= instant < LATEST:
        raise errors.MalformedRequest(f"'{name}' {value!r} is out of range: 1970-01-01T00:00:00Z "
                                      "to before 9000-01-01T00:00:00Z")
    return value


NEW_REVIEW = {"stars": _stars, "title": _string(), "text": _string(),
              "language": _string(pattern="[a-z]{2}", meaning="two lowercase letters such as 'en'"),
              "consumerName": _string(1),
              "consumerCountry": _string(pattern="[A-Z]{2}", meaning="two capitals such as 'GB'"),
              "locationId": _string(1), "invitationId": _string(1), "createdAt": _date_time}
EDIT = {field: NEW_REVIEW[field] for field in ("stars", "title", "text")}
REPORT = {"reason": _string(1), "publicComment": _string()}


def _checked(fields, required=(), at_least_one=False):
    """The JSON body, each field checked (and 4.0 read as 4); unknown or missing fields are named in the 400."""
    body = json_body()
    unknown = sorted(body.keys() - fields.keys())
    if unknown:
        raise errors.MalformedRequest(f"unknown field(s) {', '.join(map(repr, unknown))}; "
                                      f"send {', '.join(fields)}")
    for name in required:
        if name not in body:
            raise errors.MalformedRequest(f"'{name}' is required")
    if at_least_one and not body:
        raise errors.MalformedRequest(f"send at least one of {', '.join(fields)}")
    return {name: fields[name](name, value) for name, value in body.items()}


@bp.post("/business-units/<business_unit_id>/reviews")
def write_consumer_review(business_unit_id):
    review = _checked(NEW_REVIEW, required=("stars",))
    body = sandbox().consumers.write_consumer_review(business_unit_id, review, base=base_url())
    sandbox().webhooks.deliver_pending_async()
    return jsonify(body), 201


@bp.patch("/reviews/<review_id>")
def edit_consumer_review(review_id):
    changes = _checked(EDIT, at_least_one=True)
    body = sandbox().consumers.edit_consumer_review(review_id, changes, base=base_url())
    sandbox().webhooks.deliver_pending_async()
    return jsonify(body)


@bp.post("/reviews/<review_id>/report")
def report_review(review_id):
    report = _checked(REPORT, required=("reason",))
    body = sandbox().consumers.report_review(review_id, report["reason"], report.get("publicComment"), base=base_url())
    sandbox().webhooks.deliver_pending_async()
    return jsonify(body)
