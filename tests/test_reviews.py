"""Service reviews: public and private lists with filters and pagination, single reviews,
all-reviews, replies and tags (in-process)."""

import base64

import pytest

from helpers import DEMO_BU, NOLOCATIONS_BU, TOKEN_PATH, basic, password_token

KEY = {"apikey": "demo-partner-key"}


def reviews(client, unit=DEMO_BU, **query):
    response = client.get(f"/v1/business-units/{unit}/reviews", query_string=query, headers=KEY)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def error_details(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["details"]


def test_list_business_unit_reviews_default_page_is_20_newest_first(client):
    body = reviews(client)
    dates = [r["createdAt"] for r in body["reviews"]]
    assert len(dates) == 20 and dates == sorted(dates, reverse=True)
    assert body["links"][0]["rel"] == "next-page" and "page=2" in body["links"][0]["href"]


def test_list_business_unit_reviews_pages_cover_every_visible_review_once(client):
    seen, page = [], 1
    while True:
        body = reviews(client, page=page, perPage=100)
        seen += [r["id"] for r in body["reviews"]]
        if not any(link["rel"] == "next-page" for link in body["links"]):
            break
        page += 1
    total = client.get(f"/v1/business-units/{DEMO_BU}", headers=KEY).get_json()["numberOfReviews"]["total"]
    hidden = reviews(client, perPage=100, includeReportedReviews="true")  # reported ones are left out by default
    assert len(seen) == len(set(seen)) and 0 < total - len(seen) < 30
    assert len(hidden["reviews"]) == 100


def test_list_business_unit_reviews_oldest_first_matches_reversed_newest_first(client):
    newest = [r["id"] for p in (1, 2) for r in reviews(client, page=p, perPage=100)["reviews"]]
    oldest = reviews(client, orderBy="createdat.asc", perPage=100, page=1)["reviews"]
    all_ids = []
    page = 1
    while True:
        chunk = reviews(client, orderBy="createdat.asc", perPage=100, page=page)["reviews"]
        if not chunk:
            break
        all_ids += [r["id"] for r in chunk]
        page += 1
    assert all_ids[::-1][:200] == newest and oldest[0]["id"] == all_ids[0]


def test_list_business_unit_reviews_filters_by_stars_and_language(client):
    body = reviews(client, stars="1,2", language="da", perPage=100)
    assert body["reviews"] and all(r["stars"] in (1, 2) and r["language"] == "da" for r in body["reviews"])


def test_list_business_unit_reviews_repeated_stars_key(client):
    response = client.get(f"/v1/business-units/{DEMO_BU}/reviews?stars=5&stars=4&perPage=100", headers=KEY)
    assert {r["stars"] for r in response.get_json()["reviews"]} == {4, 5}


def test_list_business_unit_reviews_orders_by_stars(client):
    stars = [r["stars"] for r in reviews(client, orderBy="stars.asc", perPage=100)["reviews"]]
    assert stars == sorted(stars) and stars[0] == 1


def test_list_business_unit_reviews_filters_by_location(client):
    location = client.get(f"/v1/business-units/{DEMO_BU}/locations", headers=KEY).get_json()["locations"][0]["id"]
    body = reviews(client, internalLocationId=location, perPage=100)
    assert all(r["location"]["id"] == location for r in body["reviews"])


def test_list_business_unit_reviews_responded_filter(client):
    replied = reviews(client, responded="true", perPage=50)["reviews"]
    unreplied = reviews(client, responded="false", perPage=50)["reviews"]
    assert replied and all(r["companyReply"]["text"] for r in replied)
    assert unreplied and all(r["companyReply"] is None for r in unreplied)


def test_list_business_unit_reviews_beyond_last_page_is_empty(client):
    body = reviews(client, page=9999, perPage=100)
    assert body["reviews"] == [] and body["links"][0]["rel"] == "prev-page"


def test_list_business_unit_reviews_unit_without_reviews_returns_empty(client):
    from mock_server import scenario
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    del world["businessUnits"][3]["reviews"]
    client.post("/_mock/scenario", json=world)
    assert reviews(client, unit=NOLOCATIONS_BU) == {"links": [], "reviews": []}


@pytest.mark.parametrize("query, detail", [
    ({"stars": "6"}, "query parameter 'stars' takes 1 to 5, got '6'"),
    ({"language": "english"}, "query parameter 'language' takes ISO 639-1 codes like 'en', got 'english'"),
    ({"perPage": "101"}, "query parameter 'perPage' must be between 1 and 100, got 101"),
    ({"orderBy": "likes"}, "query parameter 'orderBy' must be one of createdat.desc, createdat.asc, stars.desc, "
                           "stars.asc, got 'likes'"),
    ({"responded": "yes"}, "query parameter 'responded' must be true or false, got 'yes'"),
])
def test_list_business_unit_reviews_bad_query_is_400(client, query, detail):
    response = client.get(f"/v1/business-units/{DEMO_BU}/reviews", query_string=query, headers=KEY)
    assert error_details(response, 400) == detail
    assert response.get_json()["errorCode"] == 1001


def test_list_business_unit_reviews_unknown_unit_is_404(client):
    response = client.get("/v1/business-units/ffffffffffffffffffffffff/reviews", headers=KEY)
    assert error_details(response, 404) == "no business unit has the id 'ffffffffffffffffffffffff'"


def test_get_review_matches_list_entry(client):
    first = reviews(client)["reviews"][0]
    assert client.get(f"/v1/reviews/{first['id']}", headers=KEY).get_json() == first


def test_get_review_unknown_is_404(client):
    assert error_details(client.get("/v1/reviews/nope", headers=KEY), 404) == "no review has the id 'nope'"


def test_list_all_business_unit_reviews_follows_page_tokens(client):
    url, seen = f"/v1/business-units/{DEMO_BU}/all-reviews?perPage=100", []
    while url:
        body = client.get(url, headers=KEY).get_json()
        seen += [r["id"] for r in body["reviews"]]
        url = body["links"][0]["href"].replace("http://localhost", "") if body["nextPageToken"] else None
    total = client.get(f"/v1/business-units/{DEMO_BU}", headers=KEY).get_json()["numberOfReviews"]["total"]
    assert len(seen) == len(set(seen)) == total >= 500


def test_list_all_business_unit_reviews_bad_token_is_400(client):
    response = client.get(f"/v1/business-units/{DEMO_BU}/all-reviews?pageToken=garbage", headers=KEY)
    assert "is not a token this API gave out" in error_details(response, 400)


def test_list_all_business_unit_reviews_forged_token_beyond_any_position_is_400(client):
    forged = base64.urlsafe_b64encode(b"pos:99999999999999999999").decode().rstrip("=")  # past SQLite's integers
    response = client.get(f"/v1/business-units/{DEMO_BU}/all-reviews", query_string={"pageToken": forged}, headers=KEY)
    assert error_details(response, 400) == (f"pageToken {forged!r} is not a token this API gave out; "
                                            "start without pageToken and pass on each nextPageToken")


def test_list_private_business_unit_reviews_has_private_fields(client, customer):
    response = client.get(f"/v1/private/business-units/{DEMO_BU}/reviews?perPage=100&source=InvitationApi",
                          headers=customer)
    body = response.get_json()["reviews"]
    assert body and all(r["source"] == "InvitationApi" and r["referenceId"].startswith("ORD-") for r in body)
    assert all("tags" in r and "referralEmail" in r for r in body)


def test_list_private_business_unit_reviews_date_range(client, customer):
    query = "startDateTime=2026-06-01&endDateTime=2026-07-01T00:00:00&perPage=100"
    body = client.get(f"/v1/private/business-units/{DEMO_BU}/reviews?{query}", headers=customer).get_json()
    assert body["reviews"] and all("2026-06-01" <= r["createdAt"] < "2026-07-01" for r in body["reviews"])


def test_list_private_business_unit_reviews_reported_filter(client, customer):
    body = client.get(f"/v1/private/business-units/{DEMO_BU}/reviews?reported=true&perPage=100",
                      headers=customer).get_json()
    assert body["reviews"] and all(r["reportData"]["reviewVisibility"] == "hidden" for r in body["reviews"])


def test_list_private_business_unit_reviews_needs_bearer(client):
    response = client.get(f"/v1/private/business-units/{DEMO_BU}/reviews", headers=KEY)
    assert response.status_code == 401


def test_list_private_business_unit_reviews_partner_token_has_no_access(client):
    token = password_token(client)["access_token"]
    response = client.get(f"/v1/private/business-units/{DEMO_BU}/reviews", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.get_json()["fault"]["detail"]["errorcode"] == "access.Forbidden"
    assert "has no access to business unit 507f191e810c19729de860ea" in response.get_json()["fault"]["faultstring"]


def test_create_review_reply_shows_in_public_and_private_reads(client, customer):
    review = reviews(client, responded="false")["reviews"][0]
    response = client.post(f"/v1/private/reviews/{review['id']}/reply", json={"message": "Thanks, Ida!"},
                           headers=customer)
    assert response.status_code == 201
    public = client.get(f"/v1/reviews/{review['id']}", headers=KEY).get_json()["companyReply"]
    private = client.get(f"/v1/private/reviews/{review['id']}", headers=customer).get_json()["companyReply"]
    assert public["text"] == private["text"] == "Thanks, Ida!" and "authorBusinessUserId" not in public
    assert private["authorBusinessUserId"] == "6a1b2c3d4e5f60718293a401"
    assert review["id"] in [r["id"] for r in reviews(client, responded="true", perPage=100)["reviews"]]


def test_delete_review_reply_removes_it_everywhere(client, customer):
    review = reviews(client, responded="true")["reviews"][0]
    assert client.delete(f"/v1/private/reviews/{review['id']}/reply", headers=customer).status_code == 204
    assert client.get(f"/v1/reviews/{review['id']}", headers=KEY).get_json()["companyReply"] is None
    again = client.delete(f"/v1/private/reviews/{review['id']}/reply", headers=customer)
    assert error_details(again, 404) == f"review '{review['id']}' has no reply to delete"


@pytest.mark.parametrize("body, detail", [
    ({}, "'message' is required: the reply's text, a non-empty string"),
    ({"message": "   "}, "'message' is required: the reply's text, a non-empty string"),
    ({"message": "x" * 4001}, "'message' is too long: at most 4000 characters"),
    ({"message": "hi", "authorBusinessUserId": "me"}, "'authorBusinessUserId' must be a business user id (24 hex characters)"),
    ({"message": "hi", "authorBusinessUserId": "6a1b2c3d4e5f60718293a501"},
     "'6a1b2c3d4e5f60718293a501' (the body's 'authorBusinessUserId') is not the id of a business user of "
     "business unit 507f191e810c19729de860ea"),
    ({"message": "hi", "submittedAt": ["2024-07-15T12:00:00"]},
     "'submittedAt' must be an ISO-8601 date-time like 2024-07-15T12:00:00 (years 1970 to 8999), "
     "got ['2024-07-15T12:00:00']"),
    ({"message": "hi", "submittedAt": "2024-07-15"},
     "'submittedAt' must be an ISO-8601 date-time like 2024-07-15T12:00:00 (years 1970 to 8999), got '2024-07-15'"),
    ({"message": "hi", "submittedAt": "2023-02-29T12:00:00"},
     "'submittedAt' '2023-02-29T12:00:00' is not a date that exists"),
])
def test_create_review_reply_bad_body_is_400_and_changes_nothing(client, customer, body, detail):
    review = reviews(client, responded="false")["reviews"][0]
    response = client.post(f"/v1/private/reviews/{review['id']}/reply", json=body, headers=customer)
    assert error_details(response, 400) == detail
    assert client.get(f"/v1/reviews/{review['id']}", headers=KEY).get_json()["companyReply"] is None


@pytest.mark.parametrize("extra", [{"submittedAt": "2024-07-15T12:00:00"}, {"submittedAt": "2024-07-15T12:00:00Z"},
                                   {"submittedAt": None, "authorBusinessUserId": None}])
def test_create_review_reply_optional_fields_as_in_the_docs_or_null(client, customer, extra):
    review = reviews(client, responded="false")["reviews"][0]
    response = client.post(f"/v1/private/reviews/{review['id']}/reply", json={"message": "Thanks!", **extra},
                           headers=customer)
    assert response.status_code == 201, response.get_data(as_text=True)
    reply = client.get(f"/v1/private/reviews/{review['id']}", headers=customer).get_json()["companyReply"]
    assert reply["text"] == "Thanks!" and reply["authorBusinessUserId"] == "6a1b2c3d4e5f60718293a401"


def test_create_review_reply_by_another_units_user_is_403(client):
    from mock_server import scenario
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world["businessUnits"][1]["applications"] = [{"apiKey": "free-app", "apiSecret": "free-secret"}]
    client.post("/_mock/scenario", json=world)
    token = client.post(TOKEN_PATH, headers=basic("free-app", "free-secret"),
                        data={"grant_type": "password", "username": "admin@freeplan.example",
                              "password": "customer-password"}).get_json()["access_token"]
    review = reviews(client)["reviews"][0]
    response = client.post(f"/v1/private/reviews/{review['id']}/reply", json={"message": "hi"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "business user 'admin@freeplan.example' has no access" in response.get_json()["fault"]["faultstring"]


def test_review_tags_add_replace_delete(client, customer):
    review_id = reviews(client)["reviews"][0]["id"]
    url = f"/v1/private/reviews/{review_id}/tags"
    client.post(url, json={"tags": []}, headers=customer)
    added = client.put(url, json={"tags": [{"group": "generic", "value": "vip"}]}, headers=customer)
    assert added.status_code == 200 and added.get_json() == {"tags": [{"group": "generic", "value": "vip"}]}
    replaced = client.post(url, json={"tags": [{"group": "generic", "value": "refund"}]}, headers=customer)
    assert replaced.get_json() == {"tags": [{"group": "generic", "value": "refund"}]}
    tagged = client.get(f"/v1/business-units/{DEMO_BU}/reviews?tagGroup=generic&tagValue=refund", headers=KEY)
    assert [r["id"] for r in tagged.get_json()["reviews"]] == [review_id]
    deleted = client.delete(f"{url}?group=generic&value=refund", headers=customer)
    assert deleted.status_code == 204 and client.get(url, headers=customer).get_json() == {"tags": []}


def test_review_tags_bad_body_is_400(client, customer):
    review_id = reviews(client)["reviews"][0]["id"]
    response = client.put(f"/v1/private/reviews/{review_id}/tags", json={"tags": [{"group": "g"}]}, headers=customer)
    assert "with non-empty strings" in error_details(response, 400)


@pytest.mark.parametrize("value, status", [
    ("\x1f", 200),  # text to the contract's pattern \S (ECMA-262), though Python's isspace() says space
    ("\ufeff \u3000", 400),  # whitespace to the contract, though not to isspace()
])
def test_review_tags_blank_is_the_contracts_whitespace(client, customer, value, status):
    review_id = reviews(client)["reviews"][0]["id"]
    response = client.put(f"/v1/private/reviews/{review_id}/tags", json={"tags": [{"group": "g", "value": value}]},
                          headers=customer)
    assert response.status_code == status, response.get_data(as_text=True)


def test_delete_review_tags_needs_group_and_value(client, customer):
    review_id = reviews(client)["reviews"][0]["id"]
    response = client.delete(f"/v1/private/reviews/{review_id}/tags?group=generic", headers=customer)
    assert error_details(response, 400) == "query parameters 'group' and 'value' are both required"
