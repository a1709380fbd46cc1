"""Repeated public reads answered from the kept answer (web/replay.py): never stale, never for a
request whose answer could differ, always journaled. A hook counting the requests that reach
Flask tells a replay (not counted) from an answer the app worked out again."""

import os
import subprocess
import sys

import pytest
import requests

from conftest import ROOT, free_port
from helpers import (DEMO_BU, OTHER_PARTNER_ID, PARTNER, PARTNER_ID, credential_fault, customer_headers, customer_key,
                     fault, from_both_workers, password_token)
from mock_server import create_app, scenario
from mock_server.web.request import sandbox

FIND = "/v1/business-units/find?name=trustpilotdemo.com"
UNIT = f"/v1/business-units/{DEMO_BU}"
APIKEY = {"apikey": PARTNER[0]}


def counted(app):
    """The app, with a list that grows by one for each request that reached Flask."""
    reached = []
    app.before_request(lambda: reached.append(1) and None)
    return app, reached


@pytest.fixture
def counted_app():
    return counted(create_app())


def journal_of(client, path):
    entries = client.get("/_mock/journal", query_string={"limit": 1000}).get_json()["entries"]
    return [e for e in entries if e["path"] == path]


def test_a_repeated_public_read_is_replayed_and_journaled_like_the_first(counted_app):
    app, reached = counted_app
    client = app.test_client()
    first = client.get(FIND, headers=APIKEY)
    second = client.get(FIND, headers=APIKEY)
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data() and second.headers == first.headers
    assert len(reached) == 1
    entries = journal_of(client, "/v1/business-units/find")
    assert len(entries) == 2 and entries[0]["seq"] < entries[1]["seq"]
    unchanging = ("method", "path", "query", "status", "credentials", "pid")
    assert [{k: e[k] for k in unchanging} for e in entries] == [{k: entries[0][k] for k in unchanging}] * 2
    assert entries[0]["credentials"]["clientKind"] == "partner"


def test_a_write_through_the_app_is_seen_by_the_next_read(counted_app):
    app, reached = counted_app
    client = app.test_client()
    before = client.get(UNIT, headers=APIKEY).get_json()
    box = app.extensions["sandboxes"].get("default")
    with box.store.transaction() as db:
        db.execute("UPDATE business_units SET display_name = 'Renamed' WHERE id = ?", (DEMO_BU,))
    after = client.get(UNIT, headers=APIKEY)
    assert before["displayName"] != "Renamed" and after.get_json()["displayName"] == "Renamed"
    assert len(reached) == 2


def test_another_workers_write_is_seen_by_the_next_read(tmp_path):
    """Two apps on one state file stand for two `serve` workers."""
    path = str(tmp_path / "state.db")
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    first, reached = counted(create_app({"SCENARIO": world, "STATE_PATH": path, "FRESH_STATE": True}))
    second = create_app({"SCENARIO": world, "STATE_PATH": path})
    client = first.test_client()
    assert client.get(UNIT, headers=APIKEY).status_code == client.get(UNIT, headers=APIKEY).status_code == 200
    assert len(reached) == 1  # the second was replayed
    with second.extensions["sandboxes"].get("default").store.transaction() as db:
        db.execute("UPDATE business_units SET display_name = 'Renamed by the other worker' WHERE id = ?", (DEMO_BU,))
    assert client.get(UNIT, headers=APIKEY).get_json()["displayName"] == "Renamed by the other worker"
    assert len(reached) == 2


def test_a_fault_rule_fires_on_a_request_that_was_replayed(counted_app):
    app, reached = counted_app
    client = app.test_client()
    client.get(FIND, headers=APIKEY)
    client.get(FIND, headers=APIKEY)
    created = client.post("/_mock/faults", json={"path": "/v1/business-units/find", "times": 1,
                                                  "response": {"preset": "serviceUnavailable"}})
    assert created.status_code == 201
    faulted = client.get(FIND, headers=APIKEY)
    assert faulted.status_code == 503
    assert client.get(FIND, headers=APIKEY).status_code == 200  # the rule ran out
    assert journal_of(client, "/v1/business-units/find")[2]["fault"]["rule"] == created.get_json()["id"]


def test_an_answer_that_read_the_clock_is_never_replayed():
    app, reached = counted(create_app())

    @app.get("/v1/test-clock")
    def read_the_clock():
        box = sandbox()
        with box.store.read() as db:
            return {"now": box.clock.now(db)}

    client = app.test_client()
    answers = [client.get("/v1/test-clock", headers=APIKEY).get_json()["now"] for _ in range(2)]
    assert len(reached) == 2 and answers[0] < answers[1]


def test_each_host_gets_its_own_links(counted_app):
    app, reached = counted_app
    client = app.test_client()
    links = {host: client.get(UNIT, headers=APIKEY, base_url=f"http://{host}").get_json()["links"]
             for host in ("a.test", "b.test", "a.test")}
    assert all("a.test" in link["href"] for link in links["a.test"])
    assert all("b.test" in link["href"] for link in links["b.test"])
    assert len(reached) == 2  # a.test twice: the second replayed


def test_a_request_differing_in_one_header_is_not_given_the_kept_answer(counted_app):
    """A partner customer key must come with the partner header: the same call without it (or
    with another partner's) is refused, though the one with it was kept."""
    app, reached = counted_app
    client = app.test_client()
    key = customer_key(client, password_token(client)["access_token"])["apiKey"]
    with_header = {"apikey": key, "x-partner-id": PARTNER_ID}
    assert [client.get(UNIT, headers=with_header).status_code for _ in range(2)] == [200, 200]
    without = client.get(UNIT, headers={"apikey": key})
    other = client.get(UNIT, headers={**with_header, "x-partner-id": OTHER_PARTNER_ID})
    assert (without.status_code, fault(without)) == (403, (
        "partner.MissingPartnerId", "Partner id header required: calls made with a partner customer key must "
                                    "carry the partner id in the 'x-partner-id' header"))
    assert other.status_code == 403 and fault(other)[0] == "partner.InvalidPartnerId"
    assert fault(other)[1].startswith(f"Partner id header does not match the key: the 'x-partner-id' header is "
                                      f"'{OTHER_PARTNER_ID}'")
    assert len(reached) == 2 + 3  # the token and the key, the first read, the two refused


def test_a_read_with_a_bearer_token_is_replayed_only_while_the_token_is_valid(counted_app, monkeypatch):
    """No write marks a token's expiry: the replay reads the sandbox clock and lets the app answer."""
    import time

    app, reached = counted_app
    client = app.test_client()
    headers = customer_headers(client)
    templates = f"/v1/private/business-units/{DEMO_BU}/templates"
    reached.clear()
    first, second = (client.get(templates, headers=headers) for _ in range(2))
    assert first.status_code == second.status_code == 200 and second.get_data() == first.get_data()
    assert len(reached) == 1
    later = time.time() + 101 * 3600  # past the token's 100 hours
    monkeypatch.setattr("mock_server.state.clock.time.time", lambda: later)
    expired = client.get(templates, headers=headers)
    assert expired.status_code == 401 and len(reached) == 2
    assert credential_fault(expired)[0] == "keymanagement.service.access_token_expired"


def test_another_token_is_another_request(counted_app):
    app, reached = counted_app
    client = app.test_client()
    headers = customer_headers(client)
    templates = f"/v1/private/business-units/{DEMO_BU}/templates"
    assert client.get(templates, headers=headers).status_code == 200
    forged = client.get(templates, headers={**headers, "Authorization": headers["Authorization"] + "x"})
    assert forged.status_code == 401
    assert credential_fault(forged)[0] == "oauth.v2.InvalidAccessToken"


def test_replay_can_be_turned_off():
    app, reached = counted(create_app({"REPLAY_ANSWERS": False}))
    client = app.test_client()
    for _ in range(3):
        assert client.get(FIND, headers=APIKEY).status_code == 200
    assert len(reached) == 3


def test_an_unknown_sandbox_is_still_refused(counted_app):
    app, reached = counted_app
    client = app.test_client()
    answers = [client.get("/_sandbox/nosuch" + FIND, headers=APIKEY) for _ in range(2)]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[1].get_json()["details"].startswith("no sandbox named 'nosuch'")


# -- under `serve`, two workers ------------------------------------------------------------------
def test_every_worker_stops_replaying_once_a_fault_rule_is_made_and_again_once_it_is_gone(live):
    """Both workers keep the answer; a rule made through either must reach every request."""

    def find():
        return requests.get(live + FIND, headers=APIKEY, timeout=10)

    before = from_both_workers(find)
    rule = requests.post(live + "/_mock/faults", json={"path": "/v1/business-units/find",
                                                      "response": {"preset": "serviceUnavailable"}}, timeout=10)
    assert rule.status_code == 201
    during = from_both_workers(find)
    assert requests.delete(f"{live}/_mock/faults/{rule.json()['id']}", timeout=10).status_code == 204
    after = from_both_workers(find)
    assert {r.status_code for r in before} == {r.status_code for r in after} == {200}
    assert {r.status_code for r in during} == {503}
    assert {r.content for r in after} == {before[0].content}


@pytest.mark.parametrize("value", ["no", "OFF", ""])
def test_a_replay_setting_other_than_on_or_off_stops_serve(value):
    result = subprocess.run([sys.executable, "-m", "mock_server.cli", "serve", "--port", str(free_port()),
                             "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "TRUSTPILOT_MOCK_REPLAY": value})
    assert result.returncode == 2
    assert result.stderr.strip() == f"trustpilot-mock serve: TRUSTPILOT_MOCK_REPLAY must be 'on' or 'off', got {value!r}"
    assert result.stdout == ""


def test_a_named_sandbox_deleted_through_another_worker_is_gone_for_this_one(tmp_path):
    path = str(tmp_path / "state.db")
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    first = create_app({"SCENARIO": world, "STATE_PATH": path, "FRESH_STATE": True}).test_client()
    second = create_app({"SCENARIO": world, "STATE_PATH": path}).test_client()
    assert first.post("/_mock/sandboxes", json={"name": "job-1"}).status_code == 201
    assert [second.get("/_sandbox/job-1" + FIND, headers=APIKEY).status_code for _ in range(2)] == [200, 200]
    assert first.delete("/_mock/sandboxes/job-1").status_code == 204
    gone = second.get("/_sandbox/job-1" + FIND, headers=APIKEY)
    assert gone.status_code == 404 and gone.get_json()["details"].startswith("no sandbox named 'job-1'")


def test_each_sandbox_and_query_gets_its_own_answer(counted_app):
    app, reached = counted_app
    client = app.test_client()
    assert client.post("/_mock/sandboxes", json={"name": "job-2"}).status_code == 201
    reached.clear()
    default, named = (client.get(prefix + UNIT, headers=APIKEY).get_json() for prefix in ("", "/_sandbox/job-2"))
    assert not any("/_sandbox/" in link["href"] for link in default["links"])
    assert all("/_sandbox/job-2/" in link["href"] for link in named["links"])
    pages = [client.get(f"{UNIT}/reviews", query_string={"perPage": 1, "page": page}, headers=APIKEY).get_json()
             for page in (1, 2, 1)]
    assert pages[0]["reviews"][0]["id"] != pages[1]["reviews"][0]["id"] and pages[2] == pages[0]
    assert len(reached) == 4  # the two units and two pages; the third page was replayed
