"""Showcase business-unit endpoints: profile info, web links, search, list all, categories."""

import copy

import pytest
import requests
import trustpilot.client

from helpers import DEMO_BU, FREE_BU, NOLOCATIONS_BU, NOPERMS_BU, PARTNER, PARTNER_USER, TWOFACTOR_BU
from mock_server import scenario

KEY = {"apikey": "demo-partner-key"}
ALL_UNITS = sorted([DEMO_BU, FREE_BU, NOPERMS_BU, NOLOCATIONS_BU, TWOFACTOR_BU])
MALFORMED = (400, 1001, "The request was malformed")


def service_error(response):
    """(status, errorCode, message, details) of a service-family error."""
    body = response.get_json()
    assert body["correlationId"]
    return response.status_code, body["errorCode"], body["message"], body["details"]


def get(client, path, **query):
    return client.get(path, query_string=query, headers=KEY)


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [unit["id"] for unit in response.get_json()["businessUnits"]]


def load_world(client, edit):
    """Load the default world after ``edit(world)`` changed a copy of it."""
    world = copy.deepcopy(scenario.load_file(scenario.DEFAULT_SCENARIO))
    edit(world)
    response = client.post("/_mock/scenario", json=world)
    assert response.status_code == 200, response.get_data(as_text=True)


def unit(unit_id, domain, country, stars, categories):
    return {"id": unit_id, "domain": domain, "country": country, "plan": "standard",
            "reviews": [{"stars": stars}] * 10, "categories": categories}


# -- profile info ---------------------------------------------------------------------------
def test_get_business_unit_profile_info_reads_the_scenario(client):
    body = get(client, f"/v1/business-units/{DEMO_BU}/profileinfo").get_json()
    assert body["phone"] == "+45 70 20 30 40"
    assert body["description"] == {"header": "About Trustpilot Demo",
                                   "text": "The demo shop every partner integration starts from."}
    assert body["socialmedia"]["facebook"] == "https://www.facebook.com/trustpilotdemo"
    assert body["socialmedia"]["twitter"] is None


def test_get_business_unit_profile_info_defaults_derive_from_the_unit(client):
    response = get(client, f"/v1/business-units/{FREE_BU}/profileinfo")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["email"], body["companyName"], body["isClaimed"]) == ("info@freeplan.example", "Free Plan Shop", True)
    assert body["phone"].startswith("+44 ")
    assert body["address"]["country"] == body["address"]["countryCode"] == "GB"
    assert body["description"]["header"] == "About Free Plan Shop"
    assert set(body["socialmedia"].values()) == {None}


def test_get_business_unit_profile_info_address_comes_from_a_location_in_the_unit_country(client):
    body = get(client, f"/v1/business-units/{DEMO_BU}/profileinfo").get_json()
    locations = get(client, f"/v1/business-units/{DEMO_BU}/locations").get_json()["locations"]
    first_dk = next(loc["address"] for loc in locations if loc["address"]["country"] == "DK")
    assert body["address"] == {**first_dk, "countryCode": "DK"}


def test_get_business_unit_profile_info_is_subscriber_follows_the_plan(client):
    assert get(client, f"/v1/business-units/{DEMO_BU}/profileinfo").get_json()["isSubscriber"] is True
    assert get(client, f"/v1/business-units/{FREE_BU}/profileinfo").get_json()["isSubscriber"] is False
    client.patch(f"/_mock/business-units/{DEMO_BU}", json={"plan": "free"})
    assert get(client, f"/v1/business-units/{DEMO_BU}/profileinfo").get_json()["isSubscriber"] is False


def test_get_business_unit_profile_info_unknown_id_is_404(client):
    response = get(client, "/v1/business-units/000000000000000000000000/profileinfo")
    assert service_error(response) == (404, 1004, "Not found", "no business unit has the id '000000000000000000000000'")


def test_get_business_unit_profile_info_without_credentials_is_401(client):
    response = client.get(f"/v1/business-units/{DEMO_BU}/profileinfo")
    assert response.status_code == 401
    assert response.get_json()["fault"]["detail"]["errorcode"] == "steps.oauth.v2.FailedToResolveAPIKey"


# -- web links ------------------------------------------------------------------------------
def test_get_business_unit_web_links_for_a_locale(client):
    response = get(client, f"/v1/business-units/{DEMO_BU}/web-links", locale="da-DK")
    assert response.status_code == 200
    body = response.get_json()
    assert body["locale"] == "da-DK"
    assert body["profileUrl"] == "https://dk.trustpilot.com/review/trustpilotdemo.com"
    assert body["evaluateUrl"] == "https://dk.trustpilot.com/evaluate/trustpilotdemo.com"
    assert body["evaluateEmbedUrl"] == "https://dk.trustpilot.com/evaluate/embed/trustpilotdemo.com"
    assert body["links"][0]["href"].startswith("http://localhost/v1/business-units/")


def test_get_business_unit_web_links_us_and_gb_sites_and_normalised_locale(client):
    us = get(client, f"/v1/business-units/{DEMO_BU}/web-links", locale="EN-us").get_json()
    gb = get(client, f"/v1/business-units/{DEMO_BU}/web-links", locale="en-GB").get_json()
    assert us["locale"] == "en-US" and us["profileUrl"] == "https://www.trustpilot.com/review/trustpilotdemo.com"
    assert gb["profileUrl"] == "https://uk.trustpilot.com/review/trustpilotdemo.com"


def test_get_business_unit_web_links_without_locale_is_400(client):
    response = get(client, f"/v1/business-units/{DEMO_BU}/web-links")
    assert service_error(response) == (*MALFORMED, "query parameter 'locale' is required")


def test_get_business_unit_web_links_bad_locale_is_400(client):
    response = get(client, f"/v1/business-units/{DEMO_BU}/web-links", locale="english")
    assert service_error(response) == (
        *MALFORMED, "query parameter 'locale' must be a locale like 'en-US' or 'da-DK', got 'english'")


def test_get_business_unit_web_links_unknown_id_is_404(client):
    response = get(client, "/v1/business-units/000000000000000000000000/web-links", locale="en-US")
    assert service_error(response)[:2] == (404, 1004)


# -- search ---------------------------------------------------------------------------------
def test_search_business_units_matches_display_name_ignoring_case(client):
    assert ids(get(client, "/v1/business-units/search", query="tWo FaCtOr")) == [TWOFACTOR_BU]


def test_search_business_units_matches_domains_and_url_forms(client):
    assert ids(get(client, "/v1/business-units/search", query="NOPERMS.example")) == [NOPERMS_BU]
    assert ids(get(client, "/v1/business-units/search", query="https://www.trustpilotdemo.com/")) == [DEMO_BU]


def test_search_business_units_puts_exact_matches_first_then_sorts_by_display_name(client):
    load_world(client, lambda world: world["businessUnits"].extend([
        {**unit("aaaaaaaaaaaaaaaaaaaaaa01", "zz-shop.example", "DK", 5, []), "displayName": "Shop"},
        {**unit("aaaaaaaaaaaaaaaaaaaaaa02", "another-shop.example", "DK", 5, []), "displayName": "Another Shop"},
        {**unit("aaaaaaaaaaaaaaaaaaaaaa03", "best-shop.example", "DK", 5, []), "displayName": "Best Shop"}]))
    found = ids(get(client, "/v1/business-units/search", query="SHOP"))
    assert found == ["aaaaaaaaaaaaaaaaaaaaaa01", "aaaaaaaaaaaaaaaaaaaaaa02", "aaaaaaaaaaaaaaaaaaaaaa03", FREE_BU]


def test_search_business_units_filters_by_country(client):
    assert ids(get(client, "/v1/business-units/search", query="example", country="gb")) == [FREE_BU, NOPERMS_BU]


def test_search_business_units_items_are_business_unit_objects(client):
    item = get(client, "/v1/business-units/search", query="trustpilotdemo").get_json()["businessUnits"][0]
    assert item == get(client, f"/v1/business-units/{DEMO_BU}").get_json()


def test_search_business_units_pages_with_lowercase_perpage(client):
    first = get(client, "/v1/business-units/search", query="example", perpage=3)
    assert ids(first) == [FREE_BU, NOLOCATIONS_BU, NOPERMS_BU]
    next_page = "http://localhost/v1/business-units/search?query=example&page=2&perpage=3"
    assert first.get_json()["links"] == [{"href": next_page, "method": "GET", "rel": "next-page"}]
    second = client.get(first.get_json()["links"][0]["href"], headers=KEY)
    assert ids(second) == [TWOFACTOR_BU]
    assert [link["rel"] for link in second.get_json()["links"]] == ["prev-page"]


def test_search_business_units_accepts_camel_case_perPage(client):
    assert ids(get(client, "/v1/business-units/search", query="example", perPage=1)) == [FREE_BU]


def test_search_business_units_no_match_is_an_empty_list(client):
    response = get(client, "/v1/business-units/search", query="nothing-like-this")
    assert response.status_code == 200
    assert response.get_json() == {"businessUnits": [], "links": []}


def test_search_business_units_without_query_is_400(client):
    response = get(client, "/v1/business-units/search", perpage=5)
    assert service_error(response) == (*MALFORMED, "query parameter 'query' is required")


def test_search_business_units_perpage_over_100_is_400(client):
    response = get(client, "/v1/business-units/search", query="example", perpage=101)
    assert service_error(response) == (*MALFORMED, "query parameter 'perpage' must be between 1 and 100, got 101")


def test_search_business_units_bad_country_is_400(client):
    response = get(client, "/v1/business-units/search", query="example", country="GBR")
    assert service_error(response) == (
        *MALFORMED, "query parameter 'country' must be a two-letter country code like 'DK', got 'GBR'")


@pytest.mark.parametrize("path, view", [("/v1/business-units/search", "search_business_units"),
                                        ("/v1/business-units/all", "list_all_business_units"),
                                        (f"/v1/business-units/{DEMO_BU}", "get_business_unit")])
def test_search_and_all_routes_are_not_taken_for_a_business_unit_id(app, path, view):
    endpoint, _ = app.url_map.bind("localhost").match(path)
    assert app.view_functions[endpoint].__name__ == view


# -- list all -------------------------------------------------------------------------------
def test_list_all_business_units_returns_every_unit_in_id_order(client):
    response = get(client, "/v1/business-units/all")
    assert ids(response) == ALL_UNITS
    assert response.get_json()["links"] == [] and response.get_json()["cursor"] is None


def test_list_all_business_units_pages_by_page_and_perPage(client):
    pages = [ids(get(client, "/v1/business-units/all", page=page, perPage=2)) for page in (1, 2, 3, 4)]
    assert pages == [ALL_UNITS[0:2], ALL_UNITS[2:4], ALL_UNITS[4:], []]


def test_list_all_business_units_follows_the_cursor(client):
    body = get(client, "/v1/business-units/all", perPage=2).get_json()
    seen = [unit["id"] for unit in body["businessUnits"]]
    while body["cursor"] is not None:
        cursor = body["cursor"]
        body = get(client, "/v1/business-units/all", perPage=2, cursor=cursor).get_json()
        seen.extend(unit["id"] for unit in body["businessUnits"])
        if body["cursor"]:
            next_page = f"http://localhost/v1/business-units/all?perPage=2&cursor={body['cursor']}"
            assert body["links"] == [{"href": next_page, "method": "GET", "rel": "next-page"}]
    assert seen == ALL_UNITS and body["links"] == []


def test_list_all_business_units_filters_by_countries(client):
    comma = ids(get(client, "/v1/business-units/all", country="dk,US"))
    repeated = ids(client.get("/v1/business-units/all?country=DK&country=US", headers=KEY))
    assert comma == repeated == sorted([DEMO_BU, NOLOCATIONS_BU])


def test_list_all_business_units_cursor_with_page_is_400(client):
    response = get(client, "/v1/business-units/all", page=2, cursor=DEMO_BU)
    assert service_error(response) == (
        *MALFORMED, "query parameters 'cursor' and 'page' cannot be used together: page with 'page' or follow "
                    "'cursor', not both")


def test_list_all_business_units_bad_cursor_is_400(client):
    response = get(client, "/v1/business-units/all", cursor="next")
    assert service_error(response) == (
        *MALFORMED, "query parameter 'cursor' must be the 'cursor' of a previous page, got 'next'")


def test_list_all_business_units_perPage_over_1000_is_400(client):
    response = get(client, "/v1/business-units/all", perPage=1001)
    assert service_error(response) == (*MALFORMED, "query parameter 'perPage' must be between 1 and 1000, got 1001")


def test_list_all_business_units_bad_country_is_400(client):
    response = get(client, "/v1/business-units/all", country="DK,")
    assert service_error(response) == (
        *MALFORMED, "query parameter 'country' must be two-letter country codes joined by commas, like 'DK,GB', "
                    "got 'DK,'")


# -- categories -----------------------------------------------------------------------------
def test_list_business_unit_categories_from_the_scenario(client):
    response = get(client, f"/v1/business-units/{DEMO_BU}/categories")
    assert response.status_code == 200
    first, second = response.get_json()["categories"]
    assert (first["categoryId"], first["displayName"], first["isPrimary"]) == (
        "electronics_technology", "Electronics & Technology", True)
    assert (second["id"], second["isPrimary"]) == ("software_company", False)


def test_list_business_unit_categories_default_is_one_primary_category(client):
    categories = get(client, f"/v1/business-units/{FREE_BU}/categories").get_json()["categories"]
    assert len(categories) == 1 and categories[0]["isPrimary"] is True
    assert categories == get(client, f"/v1/business-units/{FREE_BU}/categories").get_json()["categories"]


def test_list_business_unit_categories_ranking_follows_trust_score_within_a_country(client):
    pets = [{"id": "aquarium_shop"}]
    load_world(client, lambda world: world["businessUnits"].extend([
        unit("aaaaaaaaaaaaaaaaaaaaaa01", "pets-one.example", "DK", 5, pets),
        unit("aaaaaaaaaaaaaaaaaaaaaa02", "pets-two.example", "DK", 1, pets),
        unit("aaaaaaaaaaaaaaaaaaaaaa03", "pets-three.example", "DK", 3, pets),
        unit("aaaaaaaaaaaaaaaaaaaaaa04", "pets-four.example", "GB", 4, pets)]))
    rankings = [get(client, f"/v1/business-units/aaaaaaaaaaaaaaaaaaaaaa0{n}/categories").get_json()
                ["categories"][0]["ranking"] for n in (1, 2, 3)]
    assert rankings == [{"position": 1, "cardinality": 3}, {"position": 3, "cardinality": 3},
                        {"position": 2, "cardinality": 3}]
    in_gb = get(client, "/v1/business-units/aaaaaaaaaaaaaaaaaaaaaa03/categories", country="GB").get_json()
    assert in_gb["categories"][0]["ranking"] == {"position": 2, "cardinality": 2}


def test_list_business_unit_categories_first_is_primary_when_none_is_marked(client):
    load_world(client, lambda world: world["businessUnits"].append(
        unit("aaaaaaaaaaaaaaaaaaaaaa01", "pets-one.example", "DK", 5, [{"id": "pet_store"}, {"id": "zoo"}])))
    categories = get(client, "/v1/business-units/aaaaaaaaaaaaaaaaaaaaaa01/categories").get_json()["categories"]
    assert [(c["id"], c["displayName"], c["isPrimary"]) for c in categories] == [
        ("pet_store", "Pet Store", True), ("zoo", "Zoo", False)]


def test_list_business_unit_categories_bad_locale_is_400(client):
    response = get(client, f"/v1/business-units/{DEMO_BU}/categories", locale="da_DK")
    assert service_error(response) == (
        *MALFORMED, "query parameter 'locale' must be a locale like 'en-US' or 'da-DK', got 'da_DK'")


def test_list_business_unit_categories_bad_country_is_400(client):
    response = get(client, f"/v1/business-units/{DEMO_BU}/categories", country="1")
    assert service_error(response) == (
        *MALFORMED, "query parameter 'country' must be a two-letter country code like 'DK', got '1'")


def test_list_business_unit_categories_unknown_id_is_404(client):
    response = get(client, "/v1/business-units/000000000000000000000000/categories")
    assert service_error(response) == (404, 1004, "Not found", "no business unit has the id '000000000000000000000000'")


# -- star counts ----------------------------------------------------------------------------
def test_get_business_unit_reads_star_counts_from_review_counts(app, client):
    """A million reviews cost what ten cost: the counts are kept, not counted per request."""
    store = app.extensions["sandboxes"].get("default").store
    with store.transaction() as db:
        db.execute("DELETE FROM review_counts WHERE business_unit_id = ?", (FREE_BU,))
        db.execute("INSERT INTO review_counts VALUES (?, 5, 1000000)", (FREE_BU,))
    body = get(client, f"/v1/business-units/{FREE_BU}").get_json()
    assert body["numberOfReviews"]["total"] == body["numberOfReviews"]["fiveStars"] == 1000000
    assert body["score"] == {"trustScore": 5.0, "stars": 5.0}


# -- over real HTTP with the official client -----------------------------------------------
def test_showcase_over_http_with_the_official_python_client(live):
    session = trustpilot.client.TrustpilotSession(api_host=live, api_key=PARTNER[0], api_secret=PARTNER[1],
                                                  username=PARTNER_USER[0], password=PARTNER_USER[1])
    profile = session.get(f"/business-units/{DEMO_BU}/profileinfo")
    assert profile.status_code == 200 and profile.json()["companyName"] == "Trustpilot Demo"
    links = session.get(f"/business-units/{DEMO_BU}/web-links", params={"locale": "en-US"})
    assert links.json()["profileUrl"] == "https://www.trustpilot.com/review/trustpilotdemo.com"
    found = session.get("/business-units/search", params={"query": "Trustpilot Demo", "perpage": 5})
    assert [unit["id"] for unit in found.json()["businessUnits"]] == [DEMO_BU]
    score = session.get(f"/business-units/{DEMO_BU}").json()["score"]
    assert score == found.json()["businessUnits"][0]["score"] and 1 <= score["trustScore"] <= 5
    statuses = [e["status"] for e in requests.get(live + "/_mock/journal", timeout=10).json()["entries"]]
    assert statuses == [401, 200, 200, 200, 200, 200]  # one 401, then the token, then four reads
