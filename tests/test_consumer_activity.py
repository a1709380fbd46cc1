"""Consumer activity through the control plane: write, edit and report reviews, and what the
public API shows afterwards (in-process, plus the main flow over `serve`)."""

import pytest
import requests

from helpers import DEMO_BU, PARTNER_ID, REDIRECT, TOKEN_PATH, basic, customer_key, login_code, password_token

KEY = {"apikey": "demo-partner-key"}
OTHER_BU = "6a1b2c3d4e5f60718293a500"  # freeplan.example


def write(client, body, unit=DEMO_BU):
    return client.post(f"/_mock/business-units/{unit}/reviews", json=body)


def written(client, **fields):
    response = write(client, {"stars": 5, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def newest_public_review(client, unit=DEMO_BU):
    response = client.get(f"/v1/business-units/{unit}/reviews", query_string={"perPage": 1}, headers=KEY)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["reviews"][0]


def number_of_reviews(client, unit=DEMO_BU):
    return client.get(f"/v1/business-units/{unit}", headers=KEY).get_json()["numberOfReviews"]


def refused(response, status, code):
    """The details of an error response, after checking its status and errorCode."""
    body = response.get_json()
    assert (response.status_code, body["errorCode"]) == (status, code), body
    return body["details"]


@pytest.fixture
def invite(client):
    """A function that creates an invitation link of the demo unit through the Invitations API."""
    key = customer_key(client, password_token(client)["access_token"])
    token = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                        data={"grant_type": "authorization_code", "code": login_code(client, key["apiKey"]),
                              "redirect_uri": REDIRECT}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "x-partner-id": PARTNER_ID}

    def make(**fields):
        body = {"referenceId": "ORD-77", "email": "ann@example.com", "name": "Ann Invited", "locale": "en-US",
                "tags": ["vip"], **fields}
        response = client.post(f"/v1/private/business-units/{DEMO_BU}/invitation-links", headers=headers, json=body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["id"]

    return make


# -- write_consumer_review ------------------------------------------------------------------
def test_write_consumer_review_returns_the_review_in_the_private_shape(client):
    review = written(client, stars=4, title="Nice", text="Good shop", consumerName="Bo Ek", consumerCountry="SE")
    assert (review["stars"], review["title"], review["text"], review["language"]) == (4, "Nice", "Good shop", "en")
    assert (review["consumer"]["displayName"], review["consumer"]["displayLocation"]) == ("Bo Ek", "SE")
    assert (review["isVerified"], review["source"], review["referenceId"], review["tags"]) == (
        False, "Organic", None, [])
    assert review["businessUnit"]["id"] == DEMO_BU
    assert review["links"][0]["href"] == f"http://localhost/v1/reviews/{review['id']}"


def test_write_consumer_review_appears_first_in_the_public_list(client):
    review = written(client, title="Brand new")
    newest = newest_public_review(client)
    assert (newest["id"], newest["title"]) == (review["id"], "Brand new")


def test_write_consumer_review_changes_the_business_unit_star_counts(client):
    before = number_of_reviews(client)
    written(client, stars=2)
    after = number_of_reviews(client)
    assert (after["total"], after["twoStars"], after["fiveStars"]) == (
        before["total"] + 1, before["twoStars"] + 1, before["fiveStars"])


def test_write_consumer_review_created_at_in_the_past_keeps_date_order(client):
    review = written(client, createdAt="2020-01-02T03:04:05Z")
    assert review["createdAt"] == "2020-01-02T03:04:05Z"
    assert newest_public_review(client)["id"] != review["id"]


def test_write_consumer_review_at_a_location(client):
    location = client.get(f"/v1/business-units/{DEMO_BU}/locations", headers=KEY).get_json()["locations"][0]
    review = written(client, locationId=location["id"])
    assert review["location"]["id"] == location["id"]


def test_write_consumer_review_from_an_invitation_is_verified(client, invite):
    review = written(client, invitationId=invite())
    assert (review["isVerified"], review["source"], review["referenceId"], review["referralEmail"]) == (
        True, "InvitationApi", "ORD-77", "ann@example.com")
    assert (review["consumer"]["displayName"], review["tags"]) == ("Ann Invited", [{"group": "generic", "value": "vip"}])


def test_write_consumer_review_invitation_used_twice(client, invite):
    invitation = invite()
    written(client, invitationId=invitation)
    details = refused(write(client, {"stars": 3, "invitationId": invitation}), 409, 1009)
    assert details.startswith(f"invitation {invitation} was already used for a review at ")


def test_write_consumer_review_invitation_of_another_unit(client, invite):
    invitation = invite()
    details = refused(write(client, {"stars": 3, "invitationId": invitation}, unit=OTHER_BU), 409, 1009)
    assert details == f"invitation {invitation!r} was sent by business unit {DEMO_BU}, not {OTHER_BU}"


def test_write_consumer_review_unknown_invitation(client):
    details = refused(write(client, {"stars": 3, "invitationId": "nope"}), 404, 1004)
    assert details == "no invitation has the id 'nope' (never created, or its data was deleted)"


def test_write_consumer_review_unknown_business_unit(client):
    details = refused(write(client, {"stars": 3}, unit="0123456789abcdef01234567"), 404, 1004)
    assert details == "no business unit has the id '0123456789abcdef01234567'"


@pytest.mark.parametrize("body, detail", [
    ({}, "'stars' is required"),
    ({"stars": 6}, "'stars' must be an integer from 1 to 5, got 6"),
    ({"stars": True}, "'stars' must be an integer from 1 to 5, got True"),
    ({"stars": "5"}, "'stars' must be an integer from 1 to 5, got '5'"),
    ({"stars": 5, "title": None}, "'title' must be a string, got None"),
    ({"stars": 5, "language": "EN"}, "'language' must be two lowercase letters such as 'en', got 'EN'"),
    ({"stars": 5, "consumerCountry": "gb"}, "'consumerCountry' must be two capitals such as 'GB', got 'gb'"),
    ({"stars": 5, "consumerName": ""}, "'consumerName' must not be empty"),
    ({"stars": 5, "createdAt": "yesterday"},
     "'createdAt' must be an ISO-8601 date-time such as 2026-03-01T09:00:00Z, got 'yesterday'"),
    ({"stars": 5, "createdAt": "2020-02-30T00:00:00Z"},
     "'createdAt' '2020-02-30T00:00:00Z' is not a valid date-time"),
    ({"stars": 5, "rating": 5}, "unknown field(s) 'rating'; send stars, title, text, language, consumerName, "
                                "consumerCountry, locationId, invitationId, createdAt"),
])
def test_write_consumer_review_bad_body(client, body, detail):
    assert refused(write(client, body), 400, 1001) == detail


def test_write_consumer_review_created_at_in_the_future(client):
    details = refused(write(client, {"stars": 5, "createdAt": "8999-01-01T00:00:00Z"}), 400, 1001)
    assert details.startswith("'createdAt' '8999-01-01T00:00:00Z' is in the future (sandbox time is ")


def test_write_consumer_review_unknown_location(client):
    details = refused(write(client, {"stars": 5, "locationId": "nowhere"}), 400, 1001)
    assert details == f"'locationId' 'nowhere' is not a location of business unit {DEMO_BU}"


def test_write_consumer_review_refused_changes_nothing(client):
    before = number_of_reviews(client)
    write(client, {"stars": 5, "locationId": "nowhere"})
    assert number_of_reviews(client) == before


def test_write_consumer_review_not_json(client):
    response = client.post(f"/_mock/business-units/{DEMO_BU}/reviews", data="stars=5")
    details = refused(response, 415, 1015)
    assert details.startswith("send Content-Type application/json")


# -- edit_consumer_review -------------------------------------------------------------------
def test_edit_consumer_review_changes_the_review_and_updated_at(client):
    review = written(client, title="First")
    response = client.patch(f"/_mock/reviews/{review['id']}", json={"title": "Second", "text": "Changed my mind"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["text"], body["stars"]) == ("Second", "Changed my mind", 5)
    assert body["updatedAt"] is not None
    assert newest_public_review(client)["title"] == "Second"


def test_edit_consumer_review_moves_the_star_counts(client):
    review = written(client, stars=5)
    before = number_of_reviews(client)
    client.patch(f"/_mock/reviews/{review['id']}", json={"stars": 1})
    after = number_of_reviews(client)
    assert (after["total"], after["oneStar"], after["fiveStars"]) == (
        before["total"], before["oneStar"] + 1, before["fiveStars"] - 1)


@pytest.mark.parametrize("body, detail", [
    ({}, "send at least one of stars, title, text"),
    ({"language": "da"}, "unknown field(s) 'language'; send stars, title, text"),
    ({"stars": 0}, "'stars' must be an integer from 1 to 5, got 0"),
])
def test_edit_consumer_review_bad_body(client, body, detail):
    review = written(client)
    assert refused(client.patch(f"/_mock/reviews/{review['id']}", json=body), 400, 1001) == detail


def test_edit_consumer_review_unknown_review(client):
    details = refused(client.patch("/_mock/reviews/0123456789abcdef01234567", json={"stars": 2}), 404, 1004)
    assert details == "no review has the id '0123456789abcdef01234567'"


# -- report_review --------------------------------------------------------------------------
def test_report_review_hides_it_from_the_public_list(client):
    review = written(client)
    response = client.post(f"/_mock/reviews/{review['id']}/report",
                           json={"reason": "fakeReview", "publicComment": "Never a customer"})
    assert response.status_code == 200
    report = response.get_json()["reportData"]
    assert (report["reasons"], report["reason"], report["publicComment"]) == (
        ["fakeReview"], "fake_review", "Never a customer")
    assert newest_public_review(client)["id"] != review["id"]


@pytest.mark.parametrize("body, detail", [
    ({}, "'reason' is required"),
    ({"reason": 3}, "'reason' must be a string, got 3"),
    ({"reason": "fakeReview", "comment": "x"}, "unknown field(s) 'comment'; send reason, publicComment"),
])
def test_report_review_bad_body(client, body, detail):
    review = written(client)
    assert refused(client.post(f"/_mock/reviews/{review['id']}/report", json=body), 400, 1001) == detail


def test_report_review_unknown_reason(client):
    review = written(client)
    details = refused(client.post(f"/_mock/reviews/{review['id']}/report", json={"reason": "boring"}), 400, 1001)
    assert details.startswith("'reason' must be one of consumerIsCompetitor, ") and details.endswith("got 'boring'")


def test_report_review_unknown_review(client):
    response = client.post("/_mock/reviews/0123456789abcdef01234567/report", json={"reason": "other"})
    assert refused(response, 404, 1004) == "no review has the id '0123456789abcdef01234567'"


# -- over real HTTP -------------------------------------------------------------------------
def test_write_consumer_review_over_serve_is_seen_by_every_worker(live):
    before = requests.get(f"{live}/v1/business-units/{DEMO_BU}", headers=KEY, timeout=10).json()["numberOfReviews"]
    response = requests.post(f"{live}/_mock/business-units/{DEMO_BU}/reviews", json={"stars": 3, "title": "Live"},
                             timeout=10)
    assert response.status_code == 201
    review_id = response.json()["id"]
    for _ in range(4):  # either worker may answer: both read the one store
        newest = requests.get(f"{live}/v1/business-units/{DEMO_BU}/reviews", params={"perPage": 1}, headers=KEY,
                              timeout=10).json()["reviews"][0]
        assert newest["id"] == review_id
        counts = requests.get(f"{live}/v1/business-units/{DEMO_BU}", headers=KEY, timeout=10).json()["numberOfReviews"]
        assert (counts["total"], counts["threeStars"]) == (before["total"] + 1, before["threeStars"] + 1)
