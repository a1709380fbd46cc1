"""Regression tests for what schemathesis found against openapi/*.yaml, one behaviour each."""

from helpers import DEMO_BU, PARTNER, REDIRECT

LOGIN = {"client_id": PARTNER[0], "redirect_uri": REDIRECT, "response_type": "code"}


def test_get_index_with_login_parameter_but_no_client_id_shows_the_page_error(client):
    response = client.get("/?response_type=AAA")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "the query parameter &#39;client_id&#39; (your API key) is missing" in response.get_data(as_text=True)


def test_get_index_without_login_parameters_is_the_sandbox_map(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.get_json()["service"] == "Trustpilot partner sandbox"


def test_submit_login_parameter_differing_in_query_and_form(client):
    response = client.post("/authenticate", query_string=LOGIN,
                           data={"username": "partner@demo-partner.test", "password": "partner-password",
                                 "response_type": "token"})
    assert response.status_code == 400
    assert ("&#39;response_type&#39; is sent twice with different values: &#39;code&#39; in the query string "
            "and &#39;token&#39; in the form; send it once") in response.get_data(as_text=True)


def test_submit_login_parameter_repeated_in_query_and_form_with_same_value(client):
    response = client.post("/authenticate", query_string=LOGIN,
                           data={"username": "partner@demo-partner.test", "password": "partner-password",
                                 "response_type": "code"})
    assert response.status_code == 302


def test_advance_clock_negative_hours(client):
    response = client.post("/_mock/clock/advance", json={"seconds": 10, "hours": -0.001})
    assert response.status_code == 400
    assert response.get_json()["details"] == "the clock only moves forward: 'hours' must be >= 0"


def test_advance_clock_more_than_ten_years_of_hours(client):
    response = client.post("/_mock/clock/advance", json={"hours": 87601})
    assert response.status_code == 400
    assert response.get_json()["details"] == "'hours' is too large: at most 87600 hours (ten years)"


def test_advance_clock_past_year_9000(client):
    client.post("/_mock/scenario", data="name: late\nclock: {start: '8999-12-31T00:00:00Z'}\n",
                content_type="application/yaml")
    response = client.post("/_mock/clock/advance", json={"hours": 48})
    assert response.status_code == 409
    body = response.get_json()
    assert body["errorCode"] == 1009
    assert body["details"].startswith("the clock cannot reach 9000-01-01T00:00:00Z: it is 8999-12-31T00:00:00Z")
    assert client.get("/_mock/clock").status_code == 200


def test_load_scenario_clock_start_out_of_range(client):
    for start in ("0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:00:00Z"):
        response = client.post("/_mock/scenario", data=f"name: x\nclock: {{start: '{start}'}}\n",
                               content_type="application/yaml")
        assert response.status_code == 400
        assert response.get_json()["details"] == (
            f"<request body>:2: clock.start: '{start}' is out of range: the clock runs from "
            "1970-01-01T00:00:00Z to before 9000-01-01T00:00:00Z")


def test_list_journal_empty_integer_parameter(client):
    response = client.get("/_mock/journal?limit=")
    assert response.status_code == 400
    assert response.get_json()["details"] == "query parameter 'limit' must be an integer, got ''"


def test_list_business_unit_locations_page_not_plain_digits(client):
    for raw in (" 2", "1_0", "\u0661"):
        response = client.get(f"/v1/business-units/{DEMO_BU}/locations", query_string={"page": raw},
                              headers={"apikey": PARTNER[0]})
        assert response.status_code == 400
        assert response.get_json()["details"] == f"query parameter 'page' must be an integer, got {raw!r}"


def test_list_business_unit_locations_page_with_thousands_of_digits(client):
    response = client.get(f"/v1/business-units/{DEMO_BU}/locations", query_string={"page": "9" * 5000},
                          headers={"apikey": PARTNER[0]})
    assert response.status_code == 400
    assert response.get_json()["details"] == (
        f"query parameter 'page' must be between 1 and 2147483647, got {'9' * 30}... (5000 digits)")
