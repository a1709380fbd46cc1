"""Scenario-seeded OAuth grants: a world declares fixed tokens for an application and a business
user, so a connector's committed config (a refresh token) works on every fresh sandbox."""

import pytest
from helpers import DEMO_BU, bearer
from requests_oauthlib import OAuth2Session

from mock_server import create_app, scenario
from mock_server.state.errors import InvalidScenario
from mock_server.testing.wsgi import WSGIAdapter

BASE = "http://sandbox.test"
REFRESH_URL = BASE + "/v1/oauth/oauth-business-users-for-applications/refresh"
# What a data-pipeline connector keeps in its committed config.
CONNECTOR = {"client_id": "pipeline-key", "client_secret": "pipeline-secret",
             "refresh_token": "tpr-seeded-pipeline-refresh-token"}
GRANT = {"application": "pipeline-key", "user": "admin@trustpilotdemo.com",
         "accessToken": "tpa-seeded-pipeline-access-token", "refreshToken": CONNECTOR["refresh_token"],
         "refreshTokenExpiresIn": 30 * 24 * 3600}


def world(*grants):
    """The default world, its demo unit with the connector's own application, and ``grants``."""
    data = scenario.load_file(scenario.DEFAULT_SCENARIO)
    units = [dict(unit, applications=[{"name": "Data pipeline", "apiKey": "pipeline-key",
                                       "apiSecret": "pipeline-secret"}]) if unit["id"] == DEMO_BU else unit
             for unit in data["businessUnits"]]
    return {**data, "businessUnits": units, "grants": list(grants)}


def problems(data):
    with pytest.raises(InvalidScenario) as info:
        scenario.parse(__import__("json").dumps(data, indent=1), "world.json")
    return info.value.details


def test_a_committed_refresh_token_works_on_every_fresh_sandbox(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the sandbox is plain http on loopback
    checked = scenario.parse(__import__("json").dumps(world(GRANT)), "world.json")
    for _ in range(2):  # two fresh sandboxes of the same world
        app = create_app({"SCENARIO": checked})
        session = OAuth2Session(CONNECTOR["client_id"])
        session.mount(BASE, WSGIAdapter(app))
        token = session.refresh_token(REFRESH_URL, refresh_token=CONNECTOR["refresh_token"],
                                      auth=(CONNECTOR["client_id"], CONNECTOR["client_secret"]))
        assert token["access_token"].startswith("tpa-") and token["access_token"] != GRANT["accessToken"]
        assert token["refresh_token"] != CONNECTOR["refresh_token"]
        reviews = app.test_client().get(f"/v1/private/business-units/{DEMO_BU}/reviews",
                                        headers=bearer(token["access_token"]))
        assert reviews.status_code == 200, reviews.get_data(as_text=True)
        assert reviews.get_json()["reviews"]


def test_the_seeded_access_token_works_until_its_expiry():
    client = create_app({"SCENARIO": world(dict(GRANT, accessTokenExpiresIn=3600))}).test_client()
    url = f"/v1/private/business-units/{DEMO_BU}/reviews"
    assert client.get(url, headers=bearer(GRANT["accessToken"])).status_code == 200
    assert client.post("/_mock/clock/advance", json={"seconds": 3601}).status_code == 200
    expired = client.get(url, headers=bearer(GRANT["accessToken"]))
    assert expired.status_code == 401
    assert expired.get_json()["fault"]["detail"]["errorcode"] == "keymanagement.service.access_token_expired"


def test_a_grant_for_an_unknown_application_is_refused():
    assert problems(world(dict(GRANT, application="nobody-key"))).endswith(
        "grants[0].application: 'nobody-key' is not the apiKey of a partner or of a business unit's application "
        "in this world")


def test_a_grant_for_an_unknown_user_is_refused():
    assert problems(world(dict(GRANT, user="ghost@example.com"))).endswith(
        "grants[0].user: 'ghost@example.com' is not the email or id of a business user in this world")


def test_a_grant_for_another_owner_user_is_refused():
    assert "grants[0].user: 'partner@demo-partner.test' is a user of partner" in problems(
        world(dict(GRANT, user="partner@demo-partner.test")))


def test_a_token_seeded_twice_is_a_clash():
    other = dict(GRANT, accessToken="tpa-another-seeded-token")
    assert problems(world(GRANT, other)).endswith(
        "grants[1].refreshToken: the token tpr-se... is already used at grants[0].refreshToken; "
        "each seeded token must be unique")
