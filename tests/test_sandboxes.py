"""Isolated sandboxes on one server: created and deleted through the control plane, selected by
the /_sandbox/<name> prefix, each with its own world, clock, journal and tokens."""

import os

import requests
import trustpilot.client

from conftest import start_server, stop_server
from helpers import DEMO_BU, PARTNER, PARTNER_USER, TOKEN_PATH, basic

KEY = {"apikey": PARTNER[0]}


def test_create_sandbox_serves_its_own_world(client):
    response = client.post("/_mock/sandboxes", json={"name": "job-1"})
    assert response.status_code == 201
    assert response.get_json()["prefix"] == "/_sandbox/job-1" and response.get_json()["scenario"] == "default"
    found = client.get("/_sandbox/job-1/v1/business-units/find?name=trustpilotdemo.com", headers=KEY)
    assert found.status_code == 200 and found.get_json()["id"] == DEMO_BU


def test_create_sandbox_with_its_own_scenario(client):
    world = {"name": "tiny", "partners": [{"id": "11111111-2222-4333-8444-555555555555", "name": "P",
                                           "apiKey": "tiny-key", "apiSecret": "tiny-secret"}],
             "businessUnits": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaa", "domain": "tiny.example", "plan": "free"}]}
    assert client.post("/_mock/sandboxes", json={"name": "tiny", "scenario": world}).status_code == 201
    assert client.get("/_sandbox/tiny/v1/business-units/find?name=tiny.example",
                      headers={"apikey": "tiny-key"}).status_code == 200
    assert client.get("/v1/business-units/find?name=tiny.example", headers={"apikey": "tiny-key"}).status_code == 401


def test_create_sandbox_with_a_scenario_outside_the_basic_multilingual_plane(client):
    """An emoji (beyond U+FFFF) in a world sent as JSON: the world is read as written."""
    world = {"name": "starry", "partners": [{"id": "11111111-2222-4333-8444-555555555555", "name": "P",
                                             "apiKey": "starry-key", "apiSecret": "starry-secret"}],
             "businessUnits": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaa", "domain": "starry.example", "plan": "free",
                                "displayName": "Starry \U0001F31F Shop"}]}
    response = client.post("/_mock/sandboxes", json={"name": "starry", "scenario": world})
    assert response.status_code == 201, response.get_json()
    unit = client.get("/_sandbox/starry/v1/business-units/find?name=starry.example", headers={"apikey": "starry-key"})
    assert unit.status_code == 200
    assert unit.get_json()["displayName"] == "Starry \U0001F31F Shop"


def test_sandboxes_are_isolated(client):
    client.post("/_mock/sandboxes", json={"name": "a"})
    token = client.post("/_sandbox/a" + TOKEN_PATH, headers=basic(*PARTNER),
                        data={"grant_type": "password", "username": PARTNER_USER[0],
                              "password": PARTNER_USER[1]}).get_json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/_sandbox/a/v1/business-units/{DEMO_BU}", headers=bearer).status_code == 200
    other = client.get(f"/v1/business-units/{DEMO_BU}", headers=bearer)
    assert other.status_code == 401 and other.get_json()["fault"]["detail"]["errorcode"] == "oauth.v2.InvalidAccessToken"
    client.post("/_sandbox/a/_mock/clock/advance", json={"hours": 200})
    assert abs(client.get("/_mock/clock").get_json()["offsetSeconds"]) < 5
    assert [e["path"] for e in client.get("/_mock/journal").get_json()["entries"]] == [f"/v1/business-units/{DEMO_BU}"]
    assert len(client.get("/_sandbox/a/_mock/journal").get_json()["entries"]) == 2


def test_links_and_login_form_keep_the_sandbox_prefix(client):
    client.post("/_mock/sandboxes", json={"name": "links"})
    body = client.get(f"/_sandbox/links/v1/business-units/{DEMO_BU}/reviews", headers=KEY).get_json()
    assert body["links"][0]["href"].startswith(f"http://localhost/_sandbox/links/v1/business-units/{DEMO_BU}/reviews?")
    page = client.get("/_sandbox/links/authenticate?client_id=demo-partner-key&redirect_uri="
                      "http://127.0.0.1:5000/callback&response_type=code").get_data(as_text=True)
    assert 'action="/_sandbox/links/authenticate"' in page


def test_list_sandboxes(client):
    client.post("/_mock/sandboxes", json={"name": "one"})
    client.post("/_mock/sandboxes", json={"name": "two"})
    names = [s["name"] for s in client.get("/_mock/sandboxes").get_json()["sandboxes"]]
    assert names == ["default", "one", "two"]


def test_delete_sandbox_then_it_is_gone(client):
    client.post("/_mock/sandboxes", json={"name": "gone"})
    assert client.delete("/_mock/sandboxes/gone").status_code == 204
    response = client.get(f"/_sandbox/gone/v1/business-units/{DEMO_BU}", headers=KEY)
    assert response.status_code == 404
    assert response.get_json()["details"] == ('no sandbox named \'gone\'; create it with POST /_mock/sandboxes '
                                              '{"name": "gone"}')
    assert client.delete("/_mock/sandboxes/gone").get_json()["details"] == "no sandbox named 'gone'"


def test_create_sandbox_rejects_bad_names_and_duplicates(client):
    for name, status in (("Bad Name", 400), ("default", 400), ("-x", 400), (7, 400)):
        response = client.post("/_mock/sandboxes", json={"name": name})
        assert response.status_code == status and "'name' must be 1-63 lowercase" in response.get_json()["details"]
    client.post("/_mock/sandboxes", json={"name": "dup"})
    again = client.post("/_mock/sandboxes", json={"name": "dup"})
    assert again.status_code == 409 and "exists already" in again.get_json()["details"]


def test_create_sandbox_with_invalid_scenario_creates_nothing(client):
    response = client.post("/_mock/sandboxes", json={"name": "broken", "scenario": {"name": "x", "colour": 1}})
    assert response.status_code == 400
    assert response.get_json()["details"] == "<request body: scenario>:3: colour: unknown field(s) 'colour'"
    assert [s["name"] for s in client.get("/_mock/sandboxes").get_json()["sandboxes"]] == ["default"]


def test_delete_default_sandbox_is_refused(client):
    response = client.delete("/_mock/sandboxes/default")
    assert response.status_code == 409 and "reset it with POST /_mock/reset" in response.get_json()["details"]


def test_sandboxes_over_two_workers_with_files_freed_on_delete(tmp_path):
    state = str(tmp_path / "state.db")
    proc, base = start_server("--state", state, "--workers", "2")
    try:
        assert requests.post(base + "/_mock/sandboxes", json={"name": "ci-7"}).status_code == 201
        sandbox_file = tmp_path / "state.db.sandboxes" / "ci-7.db"
        assert sandbox_file.exists()
        # Any worker sees the new sandbox; an unmodified client reaches it by base URL alone.
        session = trustpilot.client.TrustpilotSession(api_host=f"{base}/_sandbox/ci-7", api_key=PARTNER[0],
                                                      api_secret=PARTNER[1], username=PARTNER_USER[0],
                                                      password=PARTNER_USER[1])
        for _ in range(10):
            assert session.get("/business-units/find?name=trustpilotdemo.com").status_code == 200
        journal = requests.get(f"{base}/_sandbox/ci-7/_mock/journal?limit=100").json()["entries"]
        assert len(journal) == 12 and requests.get(base + "/_mock/journal").json()["entries"] == []
        assert requests.delete(base + "/_mock/sandboxes/ci-7").status_code == 204
        assert not sandbox_file.exists() and not os.path.exists(str(sandbox_file) + "-wal")
        for _ in range(6):  # every worker notices
            assert requests.get(f"{base}/_sandbox/ci-7/v1/business-units/{DEMO_BU}", headers=KEY).status_code == 404
    finally:
        stop_server(proc)
