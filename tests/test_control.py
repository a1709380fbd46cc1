"""The /_mock control plane: reset, state, journal, clock, business-unit settings."""

import pytest

from helpers import DEMO_BU, PARTNER, TOKEN_PATH, basic, customer_key, password_token
from mock_server import create_app


def test_reset_sandbox_forgets_tokens_keys_and_time(client):
    token = password_token(client)["access_token"]
    customer_key(client, token)
    client.post("/_mock/clock/advance", json={"hours": 3})
    response = client.post("/_mock/reset")
    assert response.status_code == 200
    state = response.get_json()
    assert state["applications"] == [] and state["tokens"] == {}
    assert abs(client.get("/_mock/clock").get_json()["offsetSeconds"]) < 1
    assert client.get(f"/v1/business-units/{DEMO_BU}", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_get_sandbox_state_hides_secrets(client):
    key = customer_key(client, password_token(client)["access_token"])
    text = client.get("/_mock/state").get_data(as_text=True)
    for secret in ("demo-partner-secret", "partner-password", "customer-password", key["apiSecret"]):
        assert secret not in text
    assert key["apiKey"] in text


def test_journal_records_requests_without_secrets(client):
    tokens = password_token(client)
    client.get(f"/v1/business-units/{DEMO_BU}?apikey=demo-partner-key")
    entries = client.get("/_mock/journal").get_json()["entries"]
    assert [e["path"] for e in entries] == [TOKEN_PATH, f"/v1/business-units/{DEMO_BU}"]
    assert entries[0]["status"] == 200 and ["password", "***"] in entries[0]["form"]
    assert entries[1]["query"] == [["apikey", "demo-partner-key"]]
    text = str(entries)
    assert tokens["access_token"] not in text and "partner-password" not in text


def test_journal_describes_the_bearer_without_showing_it(client):
    token = password_token(client)["access_token"]
    client.get(f"/v1/business-units/{DEMO_BU}", headers={"Authorization": f"Bearer {token}"})
    entry = client.get("/_mock/journal").get_json()["entries"][-1]
    assert entry["credentials"]["bearer"] == {"status": "valid", "clientId": "demo-partner-key",
                                              "userId": "5f0c1a2b3c4d5e6f70819201"}
    assert entry["credentials"]["clientKind"] == "partner"


def test_journal_is_bounded(client):
    from mock_server import scenario
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world["settings"] = {"journalLimit": 10}
    client.post("/_mock/scenario", json=world)
    for _ in range(25):
        client.get(f"/v1/business-units/{DEMO_BU}?apikey=demo-partner-key")
    body = client.get("/_mock/journal?limit=100").get_json()
    assert len(body["entries"]) == 10 and body["newestSeq"] == 25 and body["entries"][0]["seq"] == 16


@pytest.mark.parametrize("store", ["memory", "file"])
def test_journal_shows_the_limit_between_trims(store, tmp_path):
    """Old rows are deleted in batches (state/journal.py), in either kind of store; the journal
    shows exactly journalLimit entries all the same."""
    from mock_server import scenario
    client = create_app({"STATE_PATH": str(tmp_path / "state.db") if store == "file" else None}).test_client()
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    world["settings"] = {"journalLimit": 200}
    client.post("/_mock/scenario", json=world)
    for _ in range(201):  # the 200th trimmed nothing yet, the 201st does not trim
        client.get(f"/v1/business-units/{DEMO_BU}?apikey=demo-partner-key")
    body = client.get("/_mock/journal?limit=1000").get_json()
    assert len(body["entries"]) == 200 and body["newestSeq"] == 201 and body["entries"][0]["seq"] == 2


def test_journal_since_returns_only_newer_entries(client):
    for _ in range(3):
        client.get(f"/v1/business-units/{DEMO_BU}?apikey=demo-partner-key")
    assert [e["seq"] for e in client.get("/_mock/journal?since=2").get_json()["entries"]] == [3]


def test_clear_journal(client):
    client.get(f"/v1/business-units/{DEMO_BU}?apikey=demo-partner-key")
    assert client.delete("/_mock/journal").status_code == 204
    assert client.get("/_mock/journal").get_json()["entries"] == []


def test_advance_clock_moves_time(client):
    before = client.get("/_mock/clock").get_json()["epochSeconds"]
    after = client.post("/_mock/clock/advance", json={"hours": 101}).get_json()["epochSeconds"]
    assert 101 * 3600 <= after - before <= 101 * 3600 + 5


def test_advance_clock_rejects_bad_input(client):
    for body, detail in (({"hours": "ten"}, "'hours' must be a number of hours, got 'ten'"),
                         ({"seconds": -5}, "the clock only moves forward: 'seconds' must be >= 0"),
                         ({"days": 1}, 'send {"seconds": N} and/or {"hours": N}, nothing else')):
        response = client.post("/_mock/clock/advance", json=body)
        assert response.status_code == 400 and response.get_json()["details"] == detail
    assert abs(client.get("/_mock/clock").get_json()["offsetSeconds"]) < 1


def test_advance_clock_needs_json(client):
    response = client.post("/_mock/clock/advance", data="hours=1")
    assert response.status_code == 415


def test_update_business_unit_settings_changes_plan(client):
    response = client.patch(f"/_mock/business-units/{DEMO_BU}", json={"plan": "free"})
    assert response.status_code == 200 and response.get_json()["plan"] == "free"
    token = password_token(client)["access_token"]
    check = client.get(f"/v1/private/partners/cd94b09c-8f89-11ea-bc55-0242ac130003/check/{DEMO_BU}",
                       headers={"Authorization": f"Bearer {token}"})
    assert check.status_code == 200


def test_update_business_unit_settings_rejects_bad_values(client):
    cases = (({"plan": "gold"}, 400, "'plan' must be one of free, standard, premium, advanced, enterprise, got 'gold'"),
             ({"partnerPermissions": "yes"}, 400, "'partnerPermissions' must be true or false"),
             ({"owner": "me"}, 400, "unknown field(s) owner; send 'plan' and/or 'partnerPermissions'"))
    for body, status, detail in cases:
        response = client.patch(f"/_mock/business-units/{DEMO_BU}", json=body)
        assert response.status_code == status and response.get_json()["details"] == detail
    missing = client.patch("/_mock/business-units/ffffffffffffffffffffffff", json={"plan": "free"})
    assert missing.status_code == 404
    assert client.get("/_mock/state").get_json()["businessUnits"][3]["plan"] == "standard"


def test_unknown_route_says_where_the_contract_is(client):
    response = client.get("/v1/nothing-here", headers={"apikey": PARTNER[0]})
    assert response.status_code == 404
    assert "no endpoint GET /v1/nothing-here" in response.get_json()["details"]


def test_wrong_method_is_405_with_allow(client):
    response = client.get(TOKEN_PATH, headers=basic(*PARTNER))
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_list_sandbox_secrets_names_every_secret_and_issued_token(client):
    from helpers import password_token
    token = password_token(client)
    secrets = client.get("/_mock/secrets").get_json()["secrets"]
    values = {(s["kind"], s["value"]) for s in secrets}
    assert ("apiSecret", "demo-partner-secret") in values
    assert ("password", "partner-password") in values and ("password", "customer-password") in values
    assert ("accessToken", token["access_token"]) in values
    assert ("refreshToken", token["refresh_token"]) in values
    assert ("basicCredentials", "ZGVtby1wYXJ0bmVyLWtleTpkZW1vLXBhcnRuZXItc2VjcmV0") in values  # key:secret


def test_journal_names_the_basic_client_of_a_token_request_without_its_secret(client):
    from helpers import password_token
    password_token(client)
    entry = client.get("/_mock/journal").get_json()["entries"][-1]
    assert entry["path"].endswith("/accesstoken")
    assert entry["credentials"]["basicClient"] == "demo-partner-key"
    assert entry["credentials"]["clientKind"] == "partner"
    assert "demo-partner-secret" not in str(entry)
