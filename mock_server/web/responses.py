"""Domain results (state/results.py) on the wire: the one place page links, the partner
endpoints' statuses and their bodies are built.

Page links (``next-page``, ``prev-page``) point at the request's own scheme, host, sandbox prefix
and path, keep the request's filters, then give ``page`` and the page size, so a client that
follows them stays on the sandbox it called."""

from urllib.parse import urlencode

from flask import request

from ..state.results import CustomerKey
from .request import base_url


def link(rel, params):
    """A GET link to this request's path with the query ``params`` (pairs, in order)."""
    return {"href": f"{base_url()}{request.path}?{urlencode(params)}", "method": "GET", "rel": rel}


def page_links(filters, page, has_next, size):
    """next-page / prev-page of a list paged by number: ``filters`` (pairs) then ``page``, then
    ``size`` (the page-size parameter as the operation spells it, and its value)."""
    links = []
    if has_next:
        links.append(link("next-page", [*filters, ("page", page + 1), size]))
    if page > 1:
        links.append(link("prev-page", [*filters, ("page", page - 1), size]))
    return links


def token_links(params, name, token):
    """The next-page link of a list paged by token or cursor: ``params`` (pairs), then ``name``
    with the page's ``token``; none on the last page (no token)."""
    return [link("next-page", [*params, (name, token)])] if token else []


def request_filters(*paging):
    """The request's own query parameters, repeats and order kept, but the paging ones."""
    return [(k, v) for k, v in request.args.items(multi=True) if k not in paging]


def eligibility(result):
    """check_partner_eligibility: 201 eligible, 200 not (program page step 4)."""
    return eligibility_body(result), 201 if result.eligible else 200


def eligibility_body(result):
    return {"partnerId": result.partner_id, "businessUnitId": result.business_unit_id,
            "eligible": result.eligible, "reasons": result.reasons}


def customer_key(result):
    """create_partner_customer_key: 201 with the key, or 200 with the reasons it was refused (step 5)."""
    if not isinstance(result, CustomerKey):
        return eligibility_body(result), 200
    return {"partnerId": result.partner_id, "businessUnitId": result.business_unit_id, "apiKey": result.api_key,
            "apiSecret": result.api_secret, "createdAt": result.created_at}, 201
