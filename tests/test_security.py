"""Security findings: unguessable minted values, the customer's consent, OAuth hardening
(code replay, refresh-token revocation, token throttling)."""

from helpers import (DEMO_BU, PARTNER, PARTNER_ID, REDIRECT, REFRESH_PATH, REVOKE_PATH, TOKEN_PATH, basic,
                     bearer, customer_key, login_code, password_token)

from mock_server import create_app, scenario


def _use(client, token, unit=DEMO_BU):
    """A private read with the token (a customer token needs the partner header)."""
    return client.get(f"/v1/private/business-units/{unit}/reviews", headers=bearer(token, **{"x-partner-id": PARTNER_ID}))


def _consented(client):
    """A customer key and the tokens the customer granted it through the login page."""
    key = customer_key(client, password_token(client)["access_token"])
    response = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                           data={"grant_type": "authorization_code", "code": login_code(client, key["apiKey"]),
                                 "redirect_uri": REDIRECT})
    assert response.status_code == 200, response.get_data(as_text=True)
    return key, response.get_json()


def _with_own_application():
    """The default world plus an application the demo business created for itself."""
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    units = [dict(unit, applications=[{"name": "Own app", "apiKey": "own-key",
                                       "apiSecret": "own-secret"}]) if unit["id"] == DEMO_BU else unit
             for unit in world["businessUnits"]]
    return create_app({"SCENARIO": {**world, "businessUnits": units}}).test_client()


def _settings(client, **changes):
    response = client.patch("/_mock/settings", json=changes)
    assert response.status_code == 200, response.get_data(as_text=True)


# -- 1. unguessable minted values ----------------------------------------------------------
def test_two_sandboxes_of_the_same_world_mint_different_tokens():
    first, second = create_app().test_client(), create_app().test_client()
    token = password_token(first)["access_token"]
    assert token != password_token(second)["access_token"]
    assert _use(second, token).status_code == 401


def test_a_token_minted_before_a_reset_is_not_valid_after_it_nor_minted_again(client):
    before = password_token(client)
    assert client.post("/_mock/reset").status_code == 200
    after = password_token(client)
    assert {before["access_token"], before["refresh_token"]}.isdisjoint({after["access_token"], after["refresh_token"]})
    response = client.get(f"/v1/private/partners/{PARTNER_ID}/check/{DEMO_BU}", headers=bearer(before["access_token"]))
    assert response.status_code == 403
    assert "not usable" in response.get_json()["details"]


def test_customer_keys_differ_between_sandboxes():
    keys = [customer_key(c, password_token(c)["access_token"]) for c in (create_app().test_client(),
                                                                         create_app().test_client())]
    assert keys[0]["apiKey"] != keys[1]["apiKey"] and keys[0]["apiSecret"] != keys[1]["apiSecret"]


def test_world_data_stays_deterministic_from_the_seed():
    states = [create_app().test_client().get("/_mock/state").get_json() for _ in range(2)]
    assert [u["id"] for u in states[0]["businessUnits"]] == [u["id"] for u in states[1]["businessUnits"]]
    reviews = [create_app().test_client().get(f"/v1/business-units/{DEMO_BU}/reviews",
                                              headers={"apikey": PARTNER[0]}).get_json() for _ in range(2)]
    assert reviews[0] == reviews[1]


def test_insecure_deterministic_secrets_setting_mints_the_same_values_in_every_sandbox():
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world = {**world, "settings": {**world.get("settings", {}), "insecureDeterministicSecrets": True}}
    tokens = [password_token(create_app({"SCENARIO": world}).test_client()) for _ in range(2)]
    assert tokens[0]["access_token"] == tokens[1]["access_token"]
    assert tokens[0]["refresh_token"] == tokens[1]["refresh_token"]


# -- 2. consent is the customer's ----------------------------------------------------------
def test_client_credentials_with_a_partner_created_customer_key_is_refused(client):
    key = customer_key(client, password_token(client)["access_token"])
    response = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                           data={"grant_type": "client_credentials"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "unauthorized_client"
    assert body["error_description"].startswith(
        "client_credentials is refused for a customer key a partner created: the customer's data is reached only "
        "with a token the customer granted")
    assert "clientCredentialsForCustomerKeys" in body["error_description"]


def test_the_setting_relaxes_the_consent_rule(client):
    key = customer_key(client, password_token(client)["access_token"])
    _settings(client, clientCredentialsForCustomerKeys=True)
    response = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                           data={"grant_type": "client_credentials"})
    assert response.status_code == 200
    assert "refresh_token" not in response.get_json()


def test_a_business_own_application_may_use_client_credentials():
    client = _with_own_application()
    response = client.post(TOKEN_PATH, headers=basic("own-key", "own-secret"), data={"grant_type": "client_credentials"})
    assert response.status_code == 200, response.get_data(as_text=True)


# -- 6. OAuth hardening ----------------------------------------------------------------------
def test_replaying_a_code_revokes_the_tokens_it_issued(client):
    key = customer_key(client, password_token(client)["access_token"])
    code = login_code(client, key["apiKey"])
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    first = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]), data=form).get_json()
    refreshed = client.post(REFRESH_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                            data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).get_json()
    assert _use(client, first["access_token"]).status_code == 200
    replay = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]), data=form)
    assert replay.status_code == 400
    assert replay.get_json()["error"] == "invalid_grant"
    assert "every token issued from it is now revoked" in replay.get_json()["error_description"]
    for token in (first["access_token"], refreshed["access_token"]):
        assert _use(client, token).status_code == 401
    again = client.post(REFRESH_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                        data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]})
    assert again.status_code == 400 and again.get_json()["error_description"] == "the refresh token was revoked"


def test_revoking_a_refresh_token_revokes_what_was_refreshed_from_it(client):
    key, first = _consented(client)
    auth = basic(key["apiKey"], key["apiSecret"])
    second = client.post(REFRESH_PATH, headers=auth, data={"grant_type": "refresh_token",
                                                           "refresh_token": first["refresh_token"]}).get_json()
    third = client.post(REFRESH_PATH, headers=auth, data={"grant_type": "refresh_token",
                                                          "refresh_token": second["refresh_token"]}).get_json()
    assert _use(client, third["access_token"]).status_code == 200
    assert client.post(REVOKE_PATH, headers=auth, data={"token": first["refresh_token"]}).status_code == 200
    for tokens in (first, second, third):
        assert _use(client, tokens["access_token"]).status_code == 401
    response = client.post(REFRESH_PATH, headers=auth, data={"grant_type": "refresh_token",
                                                             "refresh_token": third["refresh_token"]})
    assert response.status_code == 400 and response.get_json()["error_description"] == "the refresh token was revoked"


def test_token_requests_past_the_limit_get_a_429_with_retry_after(client):
    _settings(client, tokenRequestsPerMinute=3)
    for _ in range(3):
        password_token(client)
    response = client.post(TOKEN_PATH, headers=basic(*PARTNER), data={"grant_type": "client_credentials"})
    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit() and 1 <= int(response.headers["Retry-After"]) <= 60
    fault = response.get_json()["fault"]
    assert fault["detail"]["errorcode"] == "policies.ratelimit.QuotaViolation"
    assert "too many token requests: at most 3 a minute per application" in fault["faultstring"]
    assert client.post("/_mock/clock/advance", json={"seconds": 61}).status_code == 200
    password_token(client)  # a minute later the application may ask again


def test_token_throttling_is_per_application_and_can_be_switched_off():
    client = _with_own_application()
    _settings(client, tokenRequestsPerMinute=1)
    password_token(client)
    response = client.post(TOKEN_PATH, headers=basic("own-key", "own-secret"), data={"grant_type": "client_credentials"})
    assert response.status_code == 200  # another application has its own count
    _settings(client, tokenRequestsPerMinute=0)
    for _ in range(3):
        password_token(client)


# -- 9. a true restart message ---------------------------------------------------------------
def test_restart_over_a_state_file_without_a_world_says_the_scenario_was_loaded(tmp_path):
    from mock_server.server import restart_message
    from mock_server.state.store import Store

    path = str(tmp_path / "state.db")
    Store(path).close()  # what a first load killed mid-way leaves: the tables, no world (rolled back)
    app = create_app({"STATE_PATH": path})
    sandbox = app.extensions["sandboxes"].get("default")
    assert restart_message(sandbox, path) == (
        f"Loaded the world 'default' from the --scenario file: {path} held no complete world "
        "(an earlier start stopped while loading it?).")
    app.extensions["sandboxes"].close()
    again = create_app({"STATE_PATH": path}).extensions["sandboxes"].get("default")
    assert restart_message(again, path).startswith(f"Resumed the world 'default' kept in {path}; ")
