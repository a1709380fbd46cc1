"""Token endpoint: the four grants, client authentication, refresh and revoke."""

import base64

import pytest

from helpers import (PARTNER, PARTNER_USER, REFRESH_PATH, REVOKE_PATH, TOKEN_PATH, basic, bearer,
                     password_token)

PASSWORD_FORM = {"grant_type": "password", "username": PARTNER_USER[0], "password": PARTNER_USER[1]}


def oauth_error(response):
    body = response.get_json()
    assert body["error"] == body["ErrorCode"] and body["error_description"] == body["Error"]
    return body["ErrorCode"], body["Error"]


def test_create_access_token_password_grant_returns_string_fields(client):
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data=PASSWORD_FORM)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["access_token"].startswith("tpa-") and body["refresh_token"].startswith("tpr-")
    assert body["expires_in"] == "360000" and body["refresh_token_expires_in"] == "7776000"
    assert body["issued_at"].isdigit() and len(body["issued_at"]) == 10
    assert body["app_enduser"] == "5f0c1a2b3c4d5e6f70819201" and body["client_id"] == PARTNER[0]
    assert all(isinstance(value, str) for value in body.values())


@pytest.mark.parametrize("style", ["basic", "bare-base64", "form-fields"])
def test_create_access_token_accepts_each_client_credential_style(client, style):
    encoded = base64.b64encode(b"demo-partner-key:demo-partner-secret").decode()
    headers, form = {}, dict(PASSWORD_FORM)
    if style == "basic":
        headers["Authorization"] = "Basic " + encoded
    elif style == "bare-base64":
        headers["Authorization"] = encoded
    else:
        form.update(client_id=PARTNER[0], client_secret=PARTNER[1])
    response = client.post(TOKEN_PATH, headers=headers, data=form)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_create_access_token_ignores_media_type_parameters(client):
    body = "username=partner%40demo-partner.test&grant_type=password&password=partner-password"
    response = client.post(TOKEN_PATH, headers={**basic(*PARTNER), "Content-Type":
                           "application/x-www-form-urlencoded;charset=utf-8"}, data=body)
    assert response.status_code == 200


def test_create_access_token_without_client_credentials(client):
    response = client.post(TOKEN_PATH, data=PASSWORD_FORM)
    assert response.status_code == 401
    code, message = oauth_error(response)
    assert code == "invalid_client" and "client credentials are missing" in message


def test_create_access_token_wrong_secret(client):
    response = client.post(TOKEN_PATH, headers=basic(PARTNER[0], "nope"), data=PASSWORD_FORM)
    assert response.status_code == 401
    assert oauth_error(response) == ("invalid_client", "wrong API secret for API key 'demo-partner-key'")


def test_create_access_token_malformed_basic_value(client):
    response = client.post(TOKEN_PATH, headers={"Authorization": "Basic %%%not-base64"}, data=PASSWORD_FORM)
    assert response.status_code == 401
    assert oauth_error(response) == ("invalid_client",
                                     "the Authorization header is not valid base64 of 'apiKey:apiSecret'")


def test_create_access_token_wrong_password(client):
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data={**PASSWORD_FORM, "password": "x"})
    assert response.status_code == 400
    assert oauth_error(response) == ("invalid_grant", "wrong password for business user 'partner@demo-partner.test'")


def test_create_access_token_user_of_another_partner(client):
    form = {**PASSWORD_FORM, "username": "partner@other-partner.test", "password": "other-partner-password"}
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data=form)
    assert response.status_code == 400
    assert oauth_error(response) == ("invalid_grant",
                                     "business user 'partner@other-partner.test' is not a user of partner 'Demo Partner'")


def test_create_access_token_two_factor_user_is_refused(client):
    form = {"grant_type": "password", "username": "admin@twofactor.example", "password": "customer-password"}
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data=form)
    assert response.status_code == 401
    code, message = oauth_error(response)
    assert code == "invalid_grant"
    assert "has 2-step verification enabled" in message and "turn 2-step verification off" in message


def test_create_access_token_missing_grant_type(client):
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data={})
    assert response.status_code == 400
    code, message = oauth_error(response)
    assert code == "invalid_request" and "'grant_type' is required" in message


def test_create_access_token_unsupported_grant(client):
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data={"grant_type": "magic"})
    assert response.status_code == 400
    code, message = oauth_error(response)
    assert code == "unsupported_grant_type" and "'magic' is not supported" in message


def test_create_access_token_missing_password_field(client):
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data={"grant_type": "password", "username": "a@b.c"})
    assert response.status_code == 400
    assert oauth_error(response) == ("invalid_request", "missing form field(s): password")


def test_create_access_token_json_body_is_unsupported(client):
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), json=PASSWORD_FORM)
    assert response.status_code == 415
    code, message = oauth_error(response)
    assert code == "invalid_request" and "application/x-www-form-urlencoded" in message


def test_create_access_token_client_credentials_has_no_refresh_token(client):
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data={"grant_type": "client_credentials"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["access_token"].startswith("tpa-") and "refresh_token" not in body and "app_enduser" not in body


def test_refresh_access_token_same_refresh_token_works_twice(client):
    refresh = password_token(client)["refresh_token"]
    for _ in range(2):
        response = client.post(REFRESH_PATH, headers=basic(*PARTNER),
                               data={"grant_type": "refresh_token", "refresh_token": refresh})
        assert response.status_code == 200
        body = response.get_json()
        assert body["refresh_token"] != refresh and "app_enduser" not in body and "client_id" not in body


def test_refresh_through_accesstoken_endpoint(client):
    refresh = password_token(client)["refresh_token"]
    response = client.post(TOKEN_PATH, data={"grant_type": "refresh_token", "refresh_token": refresh,
                                             "client_id": PARTNER[0], "client_secret": PARTNER[1]})
    assert response.status_code == 200 and response.get_json()["access_token"].startswith("tpa-")


def test_refresh_access_token_unknown_token(client):
    response = client.post(REFRESH_PATH, headers=basic(*PARTNER),
                           data={"grant_type": "refresh_token", "refresh_token": "tpr-nope"})
    assert response.status_code == 400
    assert oauth_error(response) == ("invalid_grant", "unknown refresh token")


def test_refresh_access_token_expired_after_refresh_lifetime(client):
    refresh = password_token(client)["refresh_token"]
    client.post("/_mock/clock/advance", json={"hours": 24 * 91})
    response = client.post(REFRESH_PATH, headers=basic(*PARTNER),
                           data={"grant_type": "refresh_token", "refresh_token": refresh})
    assert response.status_code == 400
    code, message = oauth_error(response)
    assert code == "invalid_grant" and message.startswith("the refresh token expired at ")


def test_refresh_access_token_rejects_other_grant(client):
    response = client.post(REFRESH_PATH, headers=basic(*PARTNER), data={"grant_type": "password"})
    assert response.status_code == 400
    assert oauth_error(response)[0] == "unsupported_grant_type"


def test_revoke_access_token_revokes_refresh_and_its_access_token(client):
    tokens = password_token(client)
    response = client.post(REVOKE_PATH, data={"token": tokens["refresh_token"]})
    assert response.status_code == 200
    refreshed = client.post(REFRESH_PATH, headers=basic(*PARTNER),
                            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert oauth_error(refreshed) == ("invalid_grant", "the refresh token was revoked")
    used = client.get("/v1/business-units/507f191e810c19729de860ea", headers=bearer(tokens["access_token"]))
    assert used.status_code == 401
    assert used.get_json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidAccessToken"


def test_revoke_access_token_requires_token_field(client):
    response = client.post(REVOKE_PATH, data={})
    assert response.status_code == 400
    assert oauth_error(response) == ("invalid_request",
                                     "the form field 'token' is required (the refresh or access token to revoke)")


def test_revoke_access_token_by_another_client_is_refused(client):
    tokens = password_token(client)
    response = client.post(REVOKE_PATH, headers=basic("other-partner-key", "other-partner-secret"),
                           data={"token": tokens["refresh_token"]})
    assert response.status_code == 400
    assert oauth_error(response) == ("invalid_grant", "this token was issued to another client")
