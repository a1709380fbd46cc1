"""The Consumer API: a consumer, its profile and its reviews; declared consumers in scenarios;
and a data-pipeline tap's sync (unit reviews page by page, then each distinct consumer's profile)."""

import pytest

from helpers import DEMO_BU
from mock_server import create_app, scenario
from mock_server.state.errors import InvalidScenario

KEY = {"apikey": "demo-partner-key"}
SHOP, OTHER = "507f00000000000000000001", "507f00000000000000000002"
JANE, SILENT = "c0ffee000000000000000001", "c0ffee000000000000000002"
WORLD = f"""
name: consumers
seed: 3
clock: {{start: "2026-06-01T00:00:00Z"}}
partners:
  - {{id: 11111111-2222-4333-8444-555555555555, name: P, apiKey: p-key, apiSecret: p-secret}}
consumers:
  - {{id: {JANE}, displayName: Jane Doe, city: Copenhagen, country: DK, locale: da-DK, gender: Female,
     about: I'm a Trustpilot user, createdAt: "2020-01-02T03:04:05Z"}}
  - {{id: {SILENT}, displayName: Quiet Person}}
businessUnits:
  - id: {SHOP}
    domain: shop.example
    plan: standard
    reviews:
      - {{stars: 5, title: Great, consumerId: {JANE}, createdAt: "2026-01-01T10:00:00Z"}}
      - {{stars: 2, title: Meh, consumerId: {JANE}, createdAt: "2026-02-01T10:00:00Z", report: {{reason: other}}}}
      - {{stars: 4, title: Fine, consumerName: Bob Roe, createdAt: "2026-03-01T10:00:00Z"}}
  - id: {OTHER}
    domain: other.example
    plan: standard
    reviews:
      - {{stars: 1, title: Bad, language: da, consumerId: {JANE}, createdAt: "2026-04-01T10:00:00Z"}}
"""
PKEY = {"apikey": "p-key"}


def world_client():
    return create_app({"SCENARIO": scenario.parse(WORLD, "consumers.yaml")}).test_client()


def ok(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def consumer_reviews(client, consumer_id, **query):
    return ok(client.get(f"/v1/consumers/{consumer_id}/reviews", query_string=query, headers=PKEY))


# -- get_consumer, get_consumer_profile ---------------------------------------------------
def test_get_consumer_profile_of_a_declared_consumer():
    body = ok(world_client().get(f"/v1/consumers/{JANE}/profile", headers=PKEY))
    assert body == {
        "id": JANE, "displayName": "Jane Doe", "city": "Copenhagen", "country": "DK", "locale": "da-DK",
        "gender": "Female", "about": "I'm a Trustpilot user", "createdAt": "2020-01-02T03:04:05Z",
        "hasImage": False, "birthYear": 0, "numberOfReviews": 3,
        "profileImage": {size: {"url": None, "width": 0, "height": 0}
                         for size in ("image24x24", "image35x35", "image64x64", "image73x73")}}


def test_get_consumer_adds_links_from_the_request_host():
    body = ok(world_client().get(f"/v1/consumers/{JANE}", headers=PKEY, base_url="http://sandbox.test:8080"))
    assert body["numberOfReviews"] == 3 and body["displayName"] == "Jane Doe"
    assert [(link["rel"], link["href"]) for link in body["links"]] == [
        ("self", f"http://sandbox.test:8080/v1/consumers/{JANE}"),
        ("consumers-profile", f"http://sandbox.test:8080/v1/consumers/{JANE}/profile"),
        ("consumers-reviews", f"http://sandbox.test:8080/v1/consumers/{JANE}/reviews")]


def test_get_consumer_declared_without_reviews_has_none():
    body = ok(world_client().get(f"/v1/consumers/{SILENT}", headers=PKEY))
    assert (body["displayName"], body["numberOfReviews"], body["city"], body["createdAt"]) == (
        "Quiet Person", 0, None, None)


def test_get_consumer_profile_of_an_undeclared_consumer_comes_from_its_review():
    client = world_client()
    review = consumer_reviews_of_unit(client, SHOP, "Fine")
    body = ok(client.get(f"/v1/consumers/{review['consumer']['id']}/profile", headers=PKEY))
    assert (body["displayName"], body["numberOfReviews"], body["createdAt"], body["city"], body["locale"]) == (
        "Bob Roe", 1, "2026-03-01T10:00:00Z", None, None)


def consumer_reviews_of_unit(client, unit, title):
    body = ok(client.get(f"/v1/business-units/{unit}/reviews", headers=PKEY))
    return next(r for r in body["reviews"] if r["title"] == title)


def test_review_body_consumer_matches_the_consumer_api():
    client = world_client()
    review = consumer_reviews_of_unit(client, SHOP, "Great")
    assert review["consumer"]["id"] == JANE
    assert (review["consumer"]["displayName"], review["consumer"]["displayLocation"],
            review["consumer"]["numberOfReviews"]) == ("Jane Doe", "Copenhagen, DK", 3)
    link = review["consumer"]["links"][0]["href"]
    assert ok(client.get(link, headers=PKEY))["id"] == JANE


@pytest.mark.parametrize("path", ["", "/profile", "/reviews"])
def test_consumer_routes_unknown_id_is_404(path):
    response = world_client().get(f"/v1/consumers/{'f' * 24}{path}", headers=PKEY)
    assert response.status_code == 404
    body = response.get_json()
    assert (body["errorCode"], body["message"], body["details"]) == (
        1004, "Not found", f"no consumer has the id '{'f' * 24}'")


@pytest.mark.parametrize("path", ["", "/profile", "/reviews"])
def test_consumer_routes_without_apikey_are_401(path):
    response = world_client().get(f"/v1/consumers/{JANE}{path}")
    assert response.status_code == 401
    assert response.get_json()["fault"]["detail"]["errorcode"] == "steps.oauth.v2.FailedToResolveAPIKey"


# -- list_consumer_reviews -------------------------------------------------------------------
def test_list_consumer_reviews_spans_units_newest_first_without_reported_ones():
    body = consumer_reviews(world_client(), JANE)
    assert [(r["title"], r["businessUnit"]["id"]) for r in body["reviews"]] == [("Bad", OTHER), ("Great", SHOP)]
    assert body["links"] == []


def test_list_consumer_reviews_takes_the_unit_lists_parameters():
    client = world_client()
    every = consumer_reviews(client, JANE, includeReportedReviews="true", orderBy="createdat.asc")
    assert [r["title"] for r in every["reviews"]] == ["Great", "Meh", "Bad"]
    assert [r["title"] for r in consumer_reviews(client, JANE, businessUnitId=SHOP,
                                                 includeReportedReviews="true")["reviews"]] == ["Meh", "Great"]
    assert [r["title"] for r in consumer_reviews(client, JANE, language="da")["reviews"]] == ["Bad"]
    assert [r["title"] for r in consumer_reviews(client, JANE, stars="4,5")["reviews"]] == ["Great"]
    assert [r["title"] for r in consumer_reviews(client, JANE, orderBy="stars.asc")["reviews"]] == ["Bad", "Great"]


def test_list_consumer_reviews_pages_with_links_keeping_the_filters():
    client = world_client()
    first = consumer_reviews(client, JANE, perPage=1, includeReportedReviews="true")
    assert [link["rel"] for link in first["links"]] == ["next-page"]
    href = first["links"][0]["href"]
    assert "includeReportedReviews=true" in href and "page=2" in href and "perPage=1" in href
    second = ok(client.get(href, headers=PKEY))
    third = consumer_reviews(client, JANE, perPage=1, page=3, includeReportedReviews="true")
    seen = [body["reviews"][0]["title"] for body in (first, second, third)]
    assert seen == ["Bad", "Meh", "Great"] and third["links"][0]["rel"] == "prev-page"
    assert consumer_reviews(client, JANE, perPage=1, page=4, includeReportedReviews="true")["reviews"] == []


def test_list_consumer_reviews_unknown_business_unit_is_404():
    response = world_client().get(f"/v1/consumers/{JANE}/reviews", query_string={"businessUnitId": "e" * 24},
                                  headers=PKEY)
    assert response.status_code == 404
    assert response.get_json()["details"] == f"no business unit has the id '{'e' * 24}'"


@pytest.mark.parametrize(("query", "problem"), [
    ({"perPage": "101"}, "query parameter 'perPage' must be between 1 and 100, got 101"),
    ({"stars": "6"}, "query parameter 'stars' takes 1 to 5, got '6'"),
    ({"orderBy": "name"}, "query parameter 'orderBy' must be one of createdat.desc, createdat.asc, stars.desc, "
                          "stars.asc, got 'name'"),
])
def test_list_consumer_reviews_bad_parameters_are_400(query, problem):
    response = world_client().get(f"/v1/consumers/{JANE}/reviews", query_string=query, headers=PKEY)
    assert response.status_code == 400
    assert (response.get_json()["errorCode"], response.get_json()["details"]) == (1001, problem)


# -- the default world: generated consumers ------------------------------------------------
def test_tap_sync_every_distinct_consumers_profile_counts_the_world(client):
    """As tap-trustpilot syncs: a unit's reviews page by page (oldest first, 100 a page), then the
    profile of each distinct consumer; every profile answers and its count matches the world."""
    seen, page = {}, 1
    while True:
        body = ok(client.get(f"/v1/business-units/{DEMO_BU}/reviews", headers=KEY,
                             query_string={"page": page, "perPage": 100, "orderBy": "createdat.asc",
                                           "includeReportedReviews": "true"}))
        for review in body["reviews"]:
            seen.setdefault(review["consumer"]["id"], []).append(review)
        if len(body["reviews"]) < 100:
            break
        page += 1
    assert sum(map(len, seen.values())) == 500
    returning = [cid for cid, reviews in seen.items() if len(reviews) > 1]
    assert returning, "the generated world has consumers who review more than once"
    for consumer_id, reviews in seen.items():
        profile = ok(client.get(f"/v1/consumers/{consumer_id}/profile", headers=KEY))
        # The default world's units are distinct worlds of reviewers: every review of this
        # consumer is of this unit, so the count is exactly what was paged.
        assert profile["numberOfReviews"] == len(reviews) == reviews[0]["consumer"]["numberOfReviews"]
        assert (profile["displayName"], profile["country"]) == (
            reviews[0]["consumer"]["displayName"], reviews[0]["consumer"]["displayLocation"])


def test_generated_consumers_are_deterministic():
    def consumers():
        body = ok(create_app().test_client().get(f"/v1/business-units/{DEMO_BU}/reviews", headers=KEY,
                                                 query_string={"perPage": 100}))
        return [r["consumer"] for r in body["reviews"]]

    assert consumers() == consumers()


def test_consumer_written_through_the_control_plane_exists(client):
    written = client.post(f"/_mock/business-units/{DEMO_BU}/reviews",
                          json={"stars": 5, "consumerName": "New Person", "consumerCountry": "SE"})
    assert written.status_code == 201, written.get_data(as_text=True)
    consumer_id = written.get_json()["consumer"]["id"]
    body = ok(client.get(f"/v1/consumers/{consumer_id}", headers=KEY))
    assert (body["displayName"], body["country"], body["numberOfReviews"]) == ("New Person", "SE", 1)


# -- scenarios -------------------------------------------------------------------------------
@pytest.mark.parametrize(("change", "problem"), [
    (("consumerId: " + JANE + ", createdAt: \"2026-04", "consumerId: " + "a" * 24 + ", createdAt: \"2026-04"),
     f"consumers.yaml:23: businessUnits[1].reviews[0].consumerId: '{'a' * 24}' is not the id of a consumer "
     "of this world (declare it under 'consumers')"),
    (("title: Great, consumerId", "title: Great, consumerName: X, consumerId"),
     "businessUnits[0].reviews[0].consumerName: give consumerId or consumerName, not both"),
    ((f"id: {SILENT}", f"id: {JANE}"), "consumers[1].id: duplicate consumer id"),
    (("locale: da-DK", "locale: danish"), "consumers[0].locale"),
])
def test_scenario_consumer_problems_are_refused(change, problem):
    with pytest.raises(InvalidScenario) as caught:
        scenario.parse(WORLD.replace(*change), "consumers.yaml")
    assert problem in str(caught.value)


def test_tap_sync_over_serve_every_profile_answers(live):
    """The same sync over real HTTP (two workers): every consumer a review names has a profile
    whose count matches the reviews paged, and the review's consumer link answers too."""
    import requests

    session = requests.Session()
    session.headers["apikey"] = "demo-partner-key"
    seen, page = {}, 1
    while True:
        response = session.get(f"{live}/v1/business-units/{DEMO_BU}/reviews", timeout=10,
                               params={"page": page, "perPage": 100, "orderBy": "createdat.asc",
                                       "includeReportedReviews": "true"})
        assert response.status_code == 200, response.text
        reviews = response.json()["reviews"]
        for review in reviews:
            seen.setdefault(review["consumer"]["id"], []).append(review)
        if len(reviews) < 100:
            break
        page += 1
    for consumer_id, reviews in seen.items():
        profile = session.get(f"{live}/v1/consumers/{consumer_id}/profile", timeout=10)
        assert profile.status_code == 200, profile.text
        assert profile.json()["numberOfReviews"] == len(reviews)
    linked = session.get(next(iter(seen.values()))[0]["consumer"]["links"][0]["href"], timeout=10)
    assert linked.status_code == 200 and linked.json()["links"][0]["href"].startswith(live)
