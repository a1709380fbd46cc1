"""Business units: find by domain, get by id, locations with pagination."""

from helpers import DEMO_BU, NOLOCATIONS_BU

KEY = {"apikey": "demo-partner-key"}


def service_error(response):
    body = response.get_json()
    assert body["correlationId"]
    return body["errorCode"], body["message"], body["details"]


def test_find_business_unit_returns_the_object(client):
    response = client.get("/v1/business-units/find?name=trustpilotdemo.com", headers=KEY)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == DEMO_BU and body["displayName"] == "Trustpilot Demo"
    assert body["name"] == {"identifying": "trustpilotdemo.com", "referring": ["trustpilotdemo.com", "www.trustpilotdemo.com"]}
    counts = body["numberOfReviews"]
    assert counts["total"] == sum(counts[f] for f in ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars"))
    assert counts["total"] >= 250
    assert 1 <= body["score"]["trustScore"] <= 5 and body["score"]["stars"] * 2 == int(body["score"]["stars"] * 2)


def test_find_business_unit_accepts_www_and_url_forms(client):
    for name in ("www.trustpilotdemo.com", "https://TrustpilotDemo.com/", "http://www.trustpilotdemo.com/about"):
        response = client.get("/v1/business-units/find", query_string={"name": name}, headers=KEY)
        assert response.get_json()["id"] == DEMO_BU, name


def test_find_business_unit_unknown_domain_is_404(client):
    response = client.get("/v1/business-units/find?name=nobody.example", headers=KEY)
    assert response.status_code == 404
    assert service_error(response) == (1004, "Not found", "no business unit has the domain 'nobody.example'")


def test_find_business_unit_without_name_is_400(client):
    response = client.get("/v1/business-units/find", headers=KEY)
    assert response.status_code == 400
    assert service_error(response) == (1001, "The request was malformed", "query parameter 'name' is required")


def test_get_business_unit_has_bad_fit_false_as_every_listing_does(client):
    """badFit is in the reference's example; the sandbox says false for every unit."""
    assert client.get(f"/v1/business-units/{DEMO_BU}", headers=KEY).get_json()["badFit"] is False
    found = client.get("/v1/business-units/search", query_string={"query": "example"}, headers=KEY).get_json()
    assert found["businessUnits"] and all(unit["badFit"] is False for unit in found["businessUnits"])


def test_get_business_unit_unknown_id_is_404(client):
    response = client.get("/v1/business-units/000000000000000000000000", headers=KEY)
    assert response.status_code == 404
    assert service_error(response)[2] == "no business unit has the id '000000000000000000000000'"


def test_links_are_built_from_the_request_host(client):
    response = client.get(f"/v1/business-units/{DEMO_BU}/locations", headers={**KEY, "Host": "sandbox.ci:9000"})
    hrefs = [link["href"] for link in response.get_json()["links"]]
    assert hrefs == [f"http://sandbox.ci:9000/v1/business-units/{DEMO_BU}/locations?page=2&perPage=200"]


def test_list_business_unit_locations_pages_through_450(client):
    seen, page = [], 1
    while True:
        body = client.get(f"/v1/business-units/{DEMO_BU}/locations?page={page}", headers=KEY).get_json()
        if not body["locations"]:
            break
        seen.extend(loc["id"] for loc in body["locations"])
        assert len(body["locations"]) <= 200
        page += 1
    assert len(seen) == 450 and len(set(seen)) == 450 and page == 4


def test_list_business_unit_locations_empty_unit_returns_empty_array(client):
    response = client.get(f"/v1/business-units/{NOLOCATIONS_BU}/locations", headers=KEY)
    assert response.status_code == 200
    assert response.get_json() == {"locations": [], "links": []}


def test_list_business_unit_locations_bad_page_is_400(client):
    for page, detail in (("abc", "query parameter 'page' must be an integer, got 'abc'"),
                         ("0", "query parameter 'page' must be between 1 and 2147483647, got 0")):
        response = client.get(f"/v1/business-units/{DEMO_BU}/locations?page={page}", headers=KEY)
        assert response.status_code == 400
        assert service_error(response)[2] == detail


def test_business_unit_score_follows_its_reviews(client):
    from mock_server import scenario
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world["businessUnits"][0]["reviews"] = [{"stars": 5}] * 93
    client.post("/_mock/scenario", json=world)
    body = client.get(f"/v1/business-units/{DEMO_BU}", headers=KEY).get_json()
    assert body["numberOfReviews"]["fiveStars"] == 93 and body["numberOfReviews"]["oneStar"] == 0
    assert body["score"] == {"trustScore": 4.9, "stars": 5.0}
