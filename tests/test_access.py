"""Credential rules shared by every route (shared/reference/client-compat.md)."""

from helpers import DEMO_BU, PARTNER_ID, bearer, credential_fault, customer_key, fault, login_code, password_token

UNIT = f"/v1/business-units/{DEMO_BU}"


def test_public_route_without_credentials_is_401(client):
    response = client.get(UNIT)
    assert response.status_code == 401
    code, faultstring, reason = credential_fault(response)
    assert (code, faultstring) == ("steps.oauth.v2.FailedToResolveAPIKey",
                                   "Failed to resolve API Key variable request.header.apikey")
    assert "no credentials" in reason


def test_public_route_accepts_apikey_header(client):
    assert client.get(UNIT, headers={"apikey": "demo-partner-key"}).status_code == 200


def test_public_route_accepts_apikey_query_parameter(client):
    assert client.get(UNIT + "?apikey=demo-partner-key").status_code == 200


def test_public_route_junk_bearer_does_not_veto_valid_apikey(client):
    response = client.get(UNIT, headers={"apikey": "demo-partner-key", "Authorization": "Bearer None"})
    assert response.status_code == 200


def test_public_route_accepts_valid_bearer_without_apikey(client):
    token = password_token(client)["access_token"]
    assert client.get(UNIT, headers=bearer(token)).status_code == 200


def test_public_route_unknown_apikey_is_401(client):
    response = client.get(UNIT, headers={"apikey": "who-am-i"})
    assert response.status_code == 401
    # Exactly Apigee's faultstring (clients match on it); the why in detail.reason, without the key.
    assert credential_fault(response) == (
        "oauth.v2.InvalidApiKey", "Invalid ApiKey",
        "the apikey sent (header or query parameter) is not the API key of any application in this sandbox")
    assert "who-am-i" not in response.get_data(as_text=True)


def test_public_route_unknown_apikey_in_query_is_not_echoed(client):
    response = client.get(UNIT, query_string={"apikey": "secret-looking-key"})
    assert response.status_code == 401
    assert response.get_json()["fault"]["faultstring"] == "Invalid ApiKey"
    assert "secret-looking-key" not in response.get_data(as_text=True)


def test_private_route_with_apikey_only_is_401(client):
    response = client.get(f"/v1/private/partners/{PARTNER_ID}/check/{DEMO_BU}", headers={"apikey": "demo-partner-key"})
    assert response.status_code == 401
    assert "partner endpoints need the partner access token" in credential_fault(response)[2]


def test_access_token_expires_after_100_hours(client):
    token = password_token(client)["access_token"]
    client.post("/_mock/clock/advance", json={"hours": 99})
    assert client.get(UNIT, headers=bearer(token)).status_code == 200
    client.post("/_mock/clock/advance", json={"hours": 2})
    response = client.get(UNIT, headers=bearer(token))
    assert response.status_code == 401
    code, faultstring, reason = credential_fault(response)
    assert (code, faultstring) == ("keymanagement.service.access_token_expired", "Access Token expired")
    assert "the access token expired at" in reason and "refresh token" in reason


def test_customer_key_without_partner_header_is_refused(client):
    key = customer_key(client, password_token(client)["access_token"])["apiKey"]
    response = client.get(UNIT, headers={"apikey": key})
    assert response.status_code == 403
    assert fault(response) == ("partner.MissingPartnerId", "Partner id header required: calls made with a "
                               "partner customer key must carry the partner id in the 'x-partner-id' header")


def test_customer_key_with_partner_header_is_accepted(client):
    key = customer_key(client, password_token(client)["access_token"])["apiKey"]
    assert client.get(UNIT, headers={"apikey": key, "x-partner-id": PARTNER_ID}).status_code == 200


def test_customer_token_with_wrong_partner_header_is_refused(client):
    key = customer_key(client, password_token(client)["access_token"])
    code = login_code(client, key["apiKey"])
    from helpers import REDIRECT, TOKEN_PATH, basic
    token = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
                        ).get_json()["access_token"]
    response = client.get(UNIT, headers=bearer(token, **{"x-partner-id": "someone-else"}))
    assert response.status_code == 403
    errorcode, message = fault(response)
    assert errorcode == "partner.InvalidPartnerId"
    assert f"belongs to partner '{PARTNER_ID}'" in message and "token issued to a partner customer key" in message
    assert client.get(UNIT, headers=bearer(token, **{"x-partner-id": PARTNER_ID})).status_code == 200


def test_partner_header_name_comes_from_the_scenario(client, app):
    from mock_server import scenario
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world["settings"] = {"partnerIdHeader": "X-Trustpilot-Partner"}
    client.post("/_mock/scenario", json=world)
    key = customer_key(client, password_token(client)["access_token"])["apiKey"]
    assert client.get(UNIT, headers={"apikey": key, "x-partner-id": PARTNER_ID}).status_code == 403
    assert client.get(UNIT, headers={"apikey": key, "X-Trustpilot-Partner": PARTNER_ID}).status_code == 200


def test_partner_header_not_required_is_answered_and_journaled_as_missing(client):
    assert client.patch("/_mock/settings", json={"partnerIdHeaderRequired": False}).status_code == 200
    key = customer_key(client, password_token(client)["access_token"])["apiKey"]
    assert client.get(UNIT, headers={"apikey": key}).status_code == 200
    entry = client.get("/_mock/journal").get_json()["entries"][-1]
    assert entry["path"] == UNIT and entry["credentials"]["clientKind"] == "customer"
    assert entry["credentials"]["partnerIdHeader"] is None
