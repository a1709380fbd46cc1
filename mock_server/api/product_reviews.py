"""Product reviews: public lists and summaries (API key), private lists and single reviews (Bearer).

Multi-value parameters (``sku``, ``language``, ``stars``, ``state``) come comma-joined (the docs'
form for ``state``) or repeated. Trustpilot's own Bruno collection sends ``Sku``; it is taken
as ``sku``.
"""

import re

from flask import Blueprint, jsonify, request

from ..state import errors
from ..state.product_reviews import STATES, ProductReviewQuery
from ..state.text import blank, trimmed
from ..web.request import credentials, int_arg, json_body, sandbox
from ..web.responses import page_links

bp = Blueprint("product_reviews", __name__)
LANGUAGE = re.compile(r"^([a-z]{2}|all)$")  # the contract's pattern, applied the way JSON Schema does (search)
STARS = re.compile(r"[1-5]")


@bp.get("/v1/product-reviews/business-units/<business_unit_id>/reviews")
def list_product_reviews(business_unit_id):
    skus, product_url = _skus(), _product_url()
    if skus is None and product_url is None:
        raise errors.MalformedRequest("give query parameter 'sku' (one or more skus, comma-separated) "
                                      "and/or 'productUrl'")
    query = ProductReviewQuery(skus=skus, product_url=product_url, **_filters())
    return _page(query, sandbox().product_reviews.list_product_reviews(credentials(), business_unit_id, query), private=False)


@bp.get("/v1/product-reviews/business-units/<business_unit_id>")
def get_product_reviews_summary(business_unit_id):
    skus = _skus()
    if skus is None:
        raise errors.MalformedRequest("query parameter 'sku' is required (one or more skus, comma-separated)")
    return jsonify(sandbox().product_reviews.get_product_reviews_summary(credentials(), business_unit_id, skus))


@bp.post("/v1/product-reviews/business-units/<business_unit_id>/batch-summaries")
def get_product_reviews_batch_summaries(business_unit_id):
    skus = json_body().get("skus")
    if not isinstance(skus, list) or not skus or not all(isinstance(s, str) and s for s in skus):
        raise errors.MalformedRequest("the body's 'skus' must be a non-empty array of non-empty strings, "
                                      'e.g. {"skus": ["ABC-1234"]}')
    return jsonify(sandbox().product_reviews.get_product_reviews_batch_summaries(credentials(), business_unit_id,
                                                                 tuple(dict.fromkeys(skus))))


@bp.get("/v1/private/product-reviews/business-units/<business_unit_id>/reviews")
def list_private_product_reviews(business_unit_id):
    states = _values("state", lambda v: v in STATES, f"one of {', '.join(STATES)}")
    query = ProductReviewQuery(skus=_skus(), states=states or ("published",), **_filters())
    return _page(query, sandbox().product_reviews.list_private_product_reviews(credentials(), business_unit_id, query), private=True)


@bp.get("/v1/private/product-reviews/<review_id>")
def get_private_product_review(review_id):
    return jsonify(sandbox().product_reviews.get_private_product_review(credentials(), review_id))


def _page(query, found, private):
    links = page_links(query.filters(private), query.page, found.has_next, ("perPage", query.per_page))
    return jsonify({"productReviews": found.items, "links": links})


def _filters():
    stars = _values("stars", STARS.fullmatch, "an integer from 1 to 5")
    return {"page": int_arg("page", 1, 1, 2147483647), "per_page": int_arg("perPage", 20, 1, 100),
            "languages": _values("language", LANGUAGE.search, "a two-letter language code (ISO 639-1) or 'all'"),
            "stars": tuple(map(int, stars)) if stars else None, "locale": request.args.get("locale")}


def _skus():
    """The skus asked for, in order, without repeats; empty parts of a comma-joined value are skipped."""
    raw = request.args.getlist("sku") or request.args.getlist("Sku")
    if not raw:
        return None
    skus = tuple(dict.fromkeys(trimmed(part) for value in raw for part in value.split(",") if not blank(part)))
    if not skus:
        raise errors.MalformedRequest(f"query parameter 'sku' names no sku (got {raw[0]!r})")
    return skus


def _product_url():
    value = request.args.get("productUrl")
    if value is not None and blank(value):
        raise errors.MalformedRequest("query parameter 'productUrl' is empty")
    return value


def _values(name, valid, expected):
    """A multi-value parameter checked value by value (no trimming: ' 5' is not a star rating)."""
    values = [part for raw in request.args.getlist(name) for part in raw.split(",")]
    for value in values:
        if not valid(value):
            raise errors.MalformedRequest(f"query parameter '{name}' must be {expected}, got {value!r}")
    return tuple(dict.fromkeys(values)) or None
