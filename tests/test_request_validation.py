"""Request validation against openapi/trustpilot.yaml: strict, lenient and off, switched at run time."""

import json

import pytest
import requests

from mock_server import create_app
from tests.helpers import DEMO_BU, PARTNER, TOKEN_PATH, basic, from_both_workers

APIKEY = {"apikey": "demo-partner-key"}
REVIEWS = f"/v1/business-units/{DEMO_BU}/reviews"
BATCH = f"/v1/product-reviews/business-units/{DEMO_BU}/batch-summaries"
LOGIN = {"client_id": "demo-partner-key", "redirect_uri": "http://127.0.0.1:5000/callback", "response_type": "code"}


@pytest.fixture
def client():
    return create_app().test_client()


def set_mode(client, mode):
    response = client.patch("/_mock/settings", json={"requestValidation": mode})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["requestValidation"] == mode


def last_entry(client):
    return client.get("/_mock/journal").get_json()["entries"][-1]


def assert_malformed(response, details):
    assert response.status_code == 400
    body = response.get_json()
    assert (body["message"], body["errorCode"]) == ("The request was malformed", 1001)
    assert body["details"] == details


# -- strict ----------------------------------------------------------------------------------
def test_list_business_unit_reviews_strict_bad_query_parameter(client):
    set_mode(client, "strict")
    response = client.get(REVIEWS, query_string={"orderBy": "newest"}, headers=APIKEY)
    assert_malformed(response, "query parameter 'orderBy': \"newest\" is not one of "
                               "\"createdat.desc\", \"createdat.asc\", \"stars.desc\", \"stars.asc\"")


def test_list_business_unit_reviews_strict_wrong_type(client):
    set_mode(client, "strict")
    response = client.get(REVIEWS, query_string={"perPage": "ten"}, headers=APIKEY)
    assert_malformed(response, "query parameter 'perPage': \"ten\" is not of type \"integer\"")


def test_list_business_unit_reviews_strict_value_the_view_accepts(client):
    set_mode(client, "strict")
    response = client.get(REVIEWS, query_string={"responded": "TRUE"}, headers=APIKEY)
    assert_malformed(response, "query parameter 'responded': \"TRUE\" is not one of \"true\", \"false\"")


def test_list_business_unit_reviews_strict_comma_joined_array_is_valid(client):
    set_mode(client, "strict")
    response = client.get(REVIEWS, query_string={"stars": "4,5", "language": ["en", "da"]}, headers=APIKEY)
    assert response.status_code == 200
    assert "violations" not in last_entry(client)


def test_get_product_reviews_batch_summaries_strict_bad_json_body_field(client):
    set_mode(client, "strict")
    response = client.post(BATCH, json={"skus": ["SKU-00001", ""]}, headers=APIKEY)
    assert_malformed(response, "body field 'skus/1': \"\" is shorter than 1 character")


def test_get_product_reviews_batch_summaries_strict_body_field_of_wrong_type(client):
    set_mode(client, "strict")
    response = client.post(BATCH, json={"skus": "SKU-00001"}, headers=APIKEY)
    assert_malformed(response, "body field 'skus': \"SKU-00001\" is not of type \"array\"")


def test_get_product_reviews_batch_summaries_strict_missing_body_field(client):
    set_mode(client, "strict")
    response = client.post(BATCH, json={}, headers=APIKEY)
    assert_malformed(response, "body field 'skus' is required")


def test_create_access_token_strict_answers_oauth_invalid_request(client):
    set_mode(client, "strict")
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data={"grant_type": "password", "username": "x"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["ErrorCode"] == body["error"] == "invalid_request"
    assert body["Error"] == "body field 'password' is required"


def test_create_access_token_strict_empty_form_names_grant_type(client):
    set_mode(client, "strict")
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER))
    assert response.status_code == 400
    assert response.get_json()["Error"] == "body field 'grant_type' is required"


def test_create_access_token_strict_unknown_grant_type_is_unsupported_grant_type(client):
    set_mode(client, "strict")
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data={"grant_type": "magic"})
    assert response.status_code == 400
    assert response.get_json()["ErrorCode"] == "unsupported_grant_type"


def test_submit_login_strict_page_parameters_as_form_fields_reach_the_view(client):
    set_mode(client, "strict")
    response = client.post("/authenticate", data={**LOGIN, "username": "partner@demo-partner.test",
                                                  "password": "wrong"})
    assert response.status_code == 401  # the view's wrong-password page, not a 400 for the query
    assert "violations" not in last_entry(client)


def test_get_review_strict_malformed_id_keeps_the_views_404(client):
    set_mode(client, "strict")
    response = client.get("/v1/reviews/nope", headers=APIKEY)
    assert response.status_code == 404
    assert last_entry(client)["violations"] == [
        {"in": "path", "name": "reviewId",
         "message": "path parameter 'reviewId': \"nope\" does not match \"^[0-9a-f]{24}$\""}]


def test_show_login_page_strict_answers_the_html_error_page(client):
    set_mode(client, "strict")
    response = client.get("/authenticate", query_string={**LOGIN, "response_type": "id_token"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "query parameter &#39;response_type&#39;: &#34;id_token&#34; is not one of" in page


def test_list_business_unit_reviews_strict_without_credentials_is_401(client):
    set_mode(client, "strict")
    response = client.get(REVIEWS, query_string={"responded": "TRUE"})
    assert response.status_code == 401
    assert response.get_json()["fault"]["detail"]["errorcode"] == "steps.oauth.v2.FailedToResolveAPIKey"


def test_list_business_unit_reviews_strict_with_unknown_apikey_is_401(client):
    set_mode(client, "strict")
    response = client.get(REVIEWS, query_string={"responded": "TRUE"}, headers={"apikey": "nobody"})
    assert response.status_code == 401
    assert response.get_json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidApiKey"


def test_list_business_unit_reviews_strict_rejection_is_journaled_with_violations(client):
    set_mode(client, "strict")
    client.get(REVIEWS, query_string={"perPage": "ten"}, headers=APIKEY)
    entry = last_entry(client)
    assert entry["status"] == 400
    assert entry["violations"] == [{"in": "query", "name": "perPage",
                                    "message": "query parameter 'perPage': \"ten\" is not of type \"integer\""}]


def test_journal_control_plane_is_never_validated(client):
    set_mode(client, "strict")
    response = client.get("/_mock/journal", query_string={"limit": "ten"})
    assert_malformed(response, "query parameter 'limit' must be an integer, got 'ten'")


# -- lenient ---------------------------------------------------------------------------------
def test_list_business_unit_reviews_lenient_answers_as_the_view_does(client):
    set_mode(client, "lenient")
    response = client.get(REVIEWS, query_string={"responded": "TRUE"}, headers=APIKEY)
    assert response.status_code == 200
    assert last_entry(client)["violations"] == [
        {"in": "query", "name": "responded",
         "message": "query parameter 'responded': \"TRUE\" is not one of \"true\", \"false\""}]


def test_list_business_unit_reviews_lenient_keeps_the_views_own_error(client):
    set_mode(client, "lenient")
    response = client.get(REVIEWS, query_string={"perPage": "ten"}, headers=APIKEY)
    assert_malformed(response, "query parameter 'perPage' must be an integer, got 'ten'")
    assert [v["name"] for v in last_entry(client)["violations"]] == ["perPage"]


def test_get_product_reviews_batch_summaries_lenient_journals_body_violations(client):
    set_mode(client, "lenient")
    client.post(BATCH, json={"skus": "SKU-00001"}, headers=APIKEY)
    assert last_entry(client)["violations"] == [
        {"in": "body", "name": "skus", "message": "body field 'skus': \"SKU-00001\" is not of type \"array\""}]


def test_list_business_unit_reviews_lenient_valid_request_has_no_violations(client):
    set_mode(client, "lenient")
    assert client.get(REVIEWS, query_string={"perPage": "5"}, headers=APIKEY).status_code == 200
    assert "violations" not in last_entry(client)


def test_list_business_unit_reviews_off_records_no_violations(client):
    set_mode(client, "off")
    assert client.get(REVIEWS, query_string={"responded": "TRUE"}, headers=APIKEY).status_code == 200
    assert "violations" not in last_entry(client)


# -- the switch ------------------------------------------------------------------------------
def test_update_sandbox_settings_switches_validation_at_run_time(client):
    set_mode(client, "strict")
    assert client.get(REVIEWS, query_string={"responded": "TRUE"}, headers=APIKEY).status_code == 400
    set_mode(client, "lenient")
    assert client.get(REVIEWS, query_string={"responded": "TRUE"}, headers=APIKEY).status_code == 200


def test_update_sandbox_settings_unknown_mode(client):
    response = client.patch("/_mock/settings", json={"requestValidation": "pedantic"})
    assert_malformed(response, "'requestValidation' must be one of strict, lenient, off, got 'pedantic'")


def test_update_sandbox_settings_unknown_setting(client):
    response = client.patch("/_mock/settings", json={"validation": "strict"})
    assert_malformed(response, "unknown setting(s) 'validation'")


def test_reset_sandbox_restores_the_scenarios_mode(client):
    loaded = client.get("/_mock/state").get_json()["settings"]["requestValidation"]
    set_mode(client, "off" if loaded != "off" else "strict")
    client.post("/_mock/reset")
    assert client.get("/_mock/state").get_json()["settings"]["requestValidation"] == loaded


def test_scenario_setting_chooses_the_mode():
    from mock_server import scenario

    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world["settings"] = {**world.get("settings", {}), "requestValidation": "strict"}
    client = create_app({"SCENARIO": world}).test_client()
    assert client.get(REVIEWS, query_string={"responded": "TRUE"}, headers=APIKEY).status_code == 400


def test_update_sandbox_settings_reaches_every_worker(live):
    """Over real HTTP with two `serve` workers: the mode lives in the shared store (and each
    worker's cache of it, filled by the calls before the change, must notice)."""
    from_both_workers(lambda: requests.get(live + REVIEWS, headers=APIKEY, timeout=5))
    try:
        assert requests.patch(f"{live}/_mock/settings", json={"requestValidation": "strict"}, timeout=5).ok
        answers = from_both_workers(lambda: requests.get(live + REVIEWS, params={"responded": "TRUE"},
                                                         headers=APIKEY, timeout=5))
        assert {a.status_code for a in answers} == {400}
    finally:
        requests.patch(f"{live}/_mock/settings", json={"requestValidation": "lenient"}, timeout=5)


# -- messages (the contract module alone, no Flask) --------------------------------------------
def invitation_violations(**changes):
    from mock_server.request_contract import RequestContract, RequestParts

    body = {"consumerEmail": "a@b.co", "consumerName": "A", "referenceNumber": "1", **changes}
    contract = RequestContract()
    parts = RequestParts(path={"businessUnitId": DEMO_BU}, query={}, headers={}, media_type="application/json",
                         body=json.dumps(body).encode(), form=[])
    return [v["message"] for v in contract.check(contract.operation("create_email_invitation"), parts)]


def test_create_email_invitation_one_of_names_the_field_inside_the_block():
    assert invitation_violations(serviceReviewInvitation={"redirectUri": "thanks.html"}) == [
        "body field 'serviceReviewInvitation/redirectUri': \"thanks.html\" does not match \"^https?://\\S+$\""]


def test_create_email_invitation_any_of_required_names_the_alternatives():
    assert invitation_violations() == [
        "the request body: needs one of 'serviceReviewInvitation', 'productReviewInvitation'"]
