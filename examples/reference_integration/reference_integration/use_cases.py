"""Step 7, the accepted use cases: review ingestion, reply, invite and showcase.

Credentials, by what the data is:
  * ingestion reads the customer's own data with the customer's token: the private review list
    (every review, reported ones too, with their private fields) and the locations;
  * reply and invite act as the customer, with the customer's token;
  * showcase shows what any visitor may see: public endpoints with the partner API key (reported
    reviews stay hidden, as on the public profile), so it works before the customer connects.
"""

import json
import os

import reference_integration as ri
from .config import DATA, IntegrationError

REVIEWS_PER_PAGE = 100       # the most the review lists give
LOCATIONS_PER_PAGE = 200     # the most the locations list gives
MAX_PAGES = 100_000          # never loop forever, even against a server that ignores `page`
SHOWCASE_REVIEWS = 3


def read_all_pages(fetch_page, key):
    """Pages 1, 2, ... of a list until a page comes back empty (the program page's end marker:
    safe even when a server gives fewer items per page than asked). ``fetch_page(n)`` returns a body."""
    items = []
    for number in range(1, MAX_PAGES + 1):
        batch = (fetch_page(number) or {}).get(key) or []
        if not batch:
            return items
        items.extend(batch)
    raise IntegrationError(f"gave up after {MAX_PAGES} pages of {key}: the list never ended")


def _customer_list(business_unit_id, path, key, per_page):
    """Every item of one of the customer's lists, read with the customer's token."""
    def fetch(number):
        url = ri.api_url(path, page=number, perPage=per_page)
        return ri.checked(ri.customer_call(business_unit_id, "GET", url), f"read page {number} of the {key}", 200)
    return ri.read_all_pages(fetch, key)


def read_all_reviews(business_unit_id):
    """Every review of the business unit, from its private review list, 100 a page."""
    return _customer_list(business_unit_id, f"/v1/private/business-units/{business_unit_id}/reviews", "reviews",
                          REVIEWS_PER_PAGE)


def read_all_locations(business_unit_id):
    """Every location of the business unit, 200 a page; a unit without locations has none."""
    return _customer_list(business_unit_id, f"/v1/business-units/{business_unit_id}/locations", "locations",
                          LOCATIONS_PER_PAGE)


def ingest(business_unit_id):
    """Review ingestion for analysis: read everything, keep it in the data folder, return the counts."""
    reviews = ri.read_all_reviews(business_unit_id)
    locations = ri.read_all_locations(business_unit_id)
    path = os.path.join(ri.env(DATA), f"ingested-{business_unit_id}.json")
    with open(path, "w", encoding="utf-8") as file:
        json.dump({"businessUnitId": business_unit_id, "reviews": reviews, "locations": locations}, file)
    return {"businessUnitId": business_unit_id, "reviews": len(reviews), "locations": len(locations)}


def ingested(business_unit_id):
    """What ingestion kept for the business unit: its review and location ids (the kit's ``results``
    probe compares them with Trustpilot's); empty lists before any ingestion."""
    path = os.path.join(ri.env(DATA), f"ingested-{business_unit_id}.json")
    try:
        with open(path, encoding="utf-8") as file:
            kept = json.load(file)
    except FileNotFoundError:
        kept = {}
    return {"reviews": [r["id"] for r in kept.get("reviews", [])],
            "locations": [loc["id"] for loc in kept.get("locations", [])]}


def reply(business_unit_id, review_id, message):
    """Reply to a review as the customer (a second reply replaces the first)."""
    response = ri.customer_call(business_unit_id, "POST", ri.api_url(f"/v1/private/reviews/{review_id}/reply"),
                                {"message": message})
    ri.checked(response, f"reply to review {review_id}", 200, 201, 204)
    return f"Replied to review {review_id} of business unit {business_unit_id}."


def invite(business_unit_id, email, name, reference_id):
    """Send a service-review invitation by e-mail, with the unit's default template."""
    payload = {"consumerEmail": email, "consumerName": name, "referenceNumber": reference_id, "type": "email",
               "serviceReviewInvitation": {}}
    url = ri.invitations_url(f"/v1/private/business-units/{business_unit_id}/email-invitations")
    ri.checked(ri.customer_call(business_unit_id, "POST", url, payload), f"invite {email}", 200, 201, 202, 204)
    return f"Invitation to review business unit {business_unit_id} sent to {name} <{email}> (reference {reference_id})."


def showcase(business_unit_id):
    """The TrustScore, the number of reviews and the latest reviews, as a widget would show them."""
    headers = ri.partner_key_headers()
    unit = ri.checked(ri.send_with_retries("GET", ri.api_url(f"/v1/business-units/{business_unit_id}"), headers),
                      f"read business unit {business_unit_id}", 200)
    latest = ri.checked(ri.send_with_retries("GET", ri.api_url(
        f"/v1/business-units/{business_unit_id}/reviews", perPage=SHOWCASE_REVIEWS, orderBy="createdat.desc"),
        headers), f"read the latest reviews of business unit {business_unit_id}", 200)["reviews"]
    score = unit.get("score") or {}
    lines = [f"{unit.get('displayName', business_unit_id)}: TrustScore {score.get('trustScore')} "
             f"({score.get('stars')} stars) from {(unit.get('numberOfReviews') or {}).get('total', 0)} reviews"]
    for review in latest:
        author = (review.get("consumer") or {}).get("displayName", "someone")
        lines.append(f"  {review.get('stars')}/5 \"{review.get('title', '')}\" by {author}, "
                     f"{str(review.get('createdAt', ''))[:10]}")
    return "\n".join(lines)
