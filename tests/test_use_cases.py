"""The accepted use cases end to end over real HTTP (`serve`): review ingestion across every
page, and the reply round-trip with the customer's token from the onboarding flow."""

import requests

from helpers import DEMO_BU, PARTNER, PARTNER_ID, REDIRECT
from test_onboarding_flow import consent, exchange_code, partner_token

KEY = {"apikey": PARTNER[0]}


def customer_session(live):
    """A requests session carrying the customer's token and the partner id header (onboarding steps 2-6)."""
    partner = partner_token(live)["access_token"]
    key = requests.post(f"{live}/v1/private/partners/{PARTNER_ID}/key/{DEMO_BU}",
                        headers={"Authorization": f"Bearer {partner}"}).json()
    location = consent(live, key["apiKey"]).headers["Location"]
    code = requests.utils.urlparse(location).query.split("code=")[1].split("&")[0]
    token = exchange_code(live, key, code, redirect=REDIRECT).json()["access_token"]
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "x-partner-id": PARTNER_ID})
    return session


def follow(session, url, key):
    """Every item of a paged list, following `next-page` links as given."""
    items = []
    while url:
        body = session.get(url, timeout=30).json()
        items += body[key]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next-page"), None)
    return items


def load_world_with_2500_reviews(live):
    """The default world, with trustpilotdemo.com grown to 2,500 reviews (and its 450 locations)."""
    from mock_server import scenario

    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world["businessUnits"][0]["reviews"] = {"generate": 2500}
    assert requests.post(f"{live}/_mock/scenario", json=world).status_code == 200


def test_ingestion_reads_every_review_and_location_page(live):
    load_world_with_2500_reviews(live)
    session = requests.Session()
    session.headers.update(KEY)
    reviews = follow(session, f"{live}/v1/business-units/{DEMO_BU}/all-reviews?perPage=100", "reviews")
    locations = follow(session, f"{live}/v1/business-units/{DEMO_BU}/locations", "locations")
    assert len(reviews) == len({r["id"] for r in reviews}) == 2500
    assert len(locations) == len({loc["id"] for loc in locations}) == 450
    unit = session.get(f"{live}/v1/business-units/{DEMO_BU}").json()
    assert unit["numberOfReviews"]["total"] == 2500
    located = {r["location"]["id"] for r in reviews if r["location"]}
    assert located <= {loc["id"] for loc in locations}
    journal = requests.get(f"{live}/_mock/journal?limit=1000").json()["entries"]
    assert sum(e["path"].endswith("/all-reviews") for e in journal) == 25
    assert sum(e["path"].endswith("/locations") for e in journal) == 3


def test_ingestion_with_page_numbers_until_a_short_page(live):
    load_world_with_2500_reviews(live)
    session, page, seen = requests.Session(), 1, []
    session.headers.update(KEY)
    while True:
        chunk = session.get(f"{live}/v1/business-units/{DEMO_BU}/reviews",
                            params={"page": page, "perPage": 100, "orderBy": "createdat.asc"}).json()["reviews"]
        seen += chunk
        if len(chunk) < 100:
            break
        page += 1
    hidden = sum(r["reportData"] is not None for r in
                 follow(session, f"{live}/v1/business-units/{DEMO_BU}/all-reviews", "reviews"))
    assert len(seen) == 2500 - hidden and [r["createdAt"] for r in seen] == sorted(r["createdAt"] for r in seen)


def test_reply_round_trip_with_the_customer_token(live):
    session = customer_session(live)
    target = requests.get(f"{live}/v1/business-units/{DEMO_BU}/reviews", params={"responded": "false"},
                          headers=KEY).json()["reviews"][0]
    reply = session.post(f"{live}/v1/private/reviews/{target['id']}/reply",
                         json={"authorBusinessUserId": "6a1b2c3d4e5f60718293a401", "message": "Thank you!"})
    assert reply.status_code == 201
    public = requests.get(f"{live}/v1/reviews/{target['id']}", headers=KEY).json()
    assert public["companyReply"]["text"] == "Thank you!"
    responded = requests.get(f"{live}/v1/business-units/{DEMO_BU}/reviews",
                             params={"responded": "true", "perPage": 100}, headers=KEY).json()["reviews"]
    assert target["id"] in [r["id"] for r in responded]
    assert session.delete(f"{live}/v1/private/reviews/{target['id']}/reply").status_code == 204
    assert requests.get(f"{live}/v1/reviews/{target['id']}", headers=KEY).json()["companyReply"] is None
    replies = [e for e in requests.get(f"{live}/_mock/journal").json()["entries"] if e["path"].endswith("/reply")]
    assert [(e["method"], e["status"], e["credentials"]["partnerIdHeader"]) for e in replies] == [
        ("POST", 201, PARTNER_ID), ("DELETE", 204, PARTNER_ID)]
