"""Partner endpoints: eligibility check and customer key creation (program page steps 4 and 5)."""

from helpers import (DEMO_BU, FREE_BU, NOPERMS_BU, OTHER_PARTNER, OTHER_PARTNER_ID, PARTNER_ID, bearer, fault,
                     password_token)


def check(client, token, unit=DEMO_BU, partner=PARTNER_ID):
    return client.get(f"/v1/private/partners/{partner}/check/{unit}", headers=bearer(token) if token else {})


def key(client, token, unit=DEMO_BU, partner=PARTNER_ID):
    return client.post(f"/v1/private/partners/{partner}/key/{unit}", headers=bearer(token) if token else {})


def test_check_partner_eligibility_eligible_is_201(client):
    response = check(client, password_token(client)["access_token"])
    assert response.status_code == 201
    assert response.get_json() == {"partnerId": PARTNER_ID, "businessUnitId": DEMO_BU, "eligible": True, "reasons": []}


def test_check_partner_eligibility_free_plan_is_200(client):
    response = check(client, password_token(client)["access_token"], unit=FREE_BU)
    assert response.status_code == 200
    body = response.get_json()
    assert body["eligible"] is False and "free plan" in body["reasons"][0]


def test_check_partner_eligibility_follows_permission_toggle(client):
    token = password_token(client)["access_token"]
    assert check(client, token, unit=NOPERMS_BU).status_code == 200
    assert "partner permissions are off" in check(client, token, unit=NOPERMS_BU).get_json()["reasons"][0]
    toggled = client.patch(f"/_mock/business-units/{NOPERMS_BU}", json={"partnerPermissions": True})
    assert toggled.status_code == 200 and toggled.get_json()["partnerPermissions"] is True
    assert check(client, token, unit=NOPERMS_BU).status_code == 201


def test_check_partner_eligibility_other_partners_token_is_403(client):
    token = password_token(client, app=OTHER_PARTNER, user=("partner@other-partner.test", "other-partner-password"))
    response = check(client, token["access_token"])
    assert response.status_code == 403
    body = response.get_json()
    assert body["errorCode"] == 1103 and body["message"] == "Incorrect authentication for Business Unit"
    assert body["details"] == f"the access token belongs to partner '{OTHER_PARTNER_ID}', not '{PARTNER_ID}'"


def test_check_partner_eligibility_bad_token_is_403(client):
    response = check(client, "tpa-forged")
    assert response.status_code == 403
    assert response.get_json()["details"].startswith("the partner access token is not usable: the bearer token is not")


def test_check_partner_eligibility_without_token_is_401(client):
    response = check(client, None)
    assert response.status_code == 401
    assert fault(response)[0] == "steps.oauth.v2.FailedToResolveAPIKey"


def test_check_partner_eligibility_unknown_business_unit_is_404(client):
    response = check(client, password_token(client)["access_token"], unit="ffffffffffffffffffffffff")
    assert response.status_code == 404
    assert response.get_json()["details"] == "no business unit has the id 'ffffffffffffffffffffffff'"


def test_create_partner_customer_key_eligible_is_201(client):
    response = key(client, password_token(client)["access_token"])
    assert response.status_code == 201
    body = response.get_json()
    assert body["partnerId"] == PARTNER_ID and body["businessUnitId"] == DEMO_BU
    assert len(body["apiKey"]) == 32 and len(body["apiSecret"]) == 16
    state = client.get("/_mock/state").get_json()
    created = [a for a in state["applications"] if a["apiKey"] == body["apiKey"]]
    assert created[0]["redirectUris"] == ["http://127.0.0.1:5000/callback", "http://localhost:5000/callback"]


def test_create_partner_customer_key_not_eligible_is_200_and_creates_nothing(client):
    response = key(client, password_token(client)["access_token"], unit=FREE_BU)
    assert response.status_code == 200
    assert response.get_json()["eligible"] is False and "apiKey" not in response.get_json()
    assert client.get("/_mock/state").get_json()["applications"] == []


def test_create_partner_customer_key_unknown_partner_is_404(client):
    response = key(client, password_token(client)["access_token"], partner="00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    body = response.get_json()
    assert body["message"] == "Incorrect PartnerID"
    assert body["details"] == "'00000000-0000-4000-8000-000000000000' is not a partner id"


def test_create_partner_customer_key_with_another_partners_id_is_403(client):
    response = key(client, password_token(client)["access_token"], partner=OTHER_PARTNER_ID)
    assert response.status_code == 403
    assert response.get_json()["message"] == "Incorrect authentication for Business Unit"


def test_create_partner_customer_key_with_expired_token_is_403(client):
    token = password_token(client)["access_token"]
    client.post("/_mock/clock/advance", json={"hours": 101})
    response = key(client, token)
    assert response.status_code == 403
    assert "the access token expired at" in response.get_json()["details"]
