"""Fault rules (/_mock/faults, scenario ``faults:``) and the rate ceiling (/_mock/rate-ceiling):
in-process, plus a dropped connection and the shared ceiling over `serve`."""

import json
from pathlib import Path

import pytest
import requests
import yaml

from helpers import DEMO_BU, from_both_workers, password_token
from mock_server import scenario
from mock_server.api.faults import ConnectionDropped

ROOT = Path(__file__).resolve().parent.parent
KEY = {"apikey": "demo-partner-key"}
UNIT = f"/v1/business-units/{DEMO_BU}"
FIND = "/v1/business-units/find?name=trustpilotdemo.com"


def add_rule(client, **rule):
    response = client.post("/_mock/faults", json=rule)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def refused(response, details):
    """A control-plane 400 whose details say ``details``."""
    body = response.get_json()
    assert (response.status_code, body["errorCode"], body["details"]) == (400, 1001, details)


def load_world(client, **extra):
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    response = client.post("/_mock/scenario", json={**world, **extra})
    assert response.status_code == 200, response.get_json()


def journal(client):
    return client.get("/_mock/journal?limit=10000").get_json()["entries"]


# -- rules: firing ---------------------------------------------------------------------------
def test_create_fault_rule_429_fires_exactly_twice_then_passes(client):
    add_rule(client, id="two-429s", method="GET", path="/v1/business-units/*",
             response={"preset": "rateLimited"}, times=2)
    answers = [client.get(UNIT, headers=KEY) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "1"
    assert answers[0].get_json()["fault"]["detail"]["errorcode"] == "policies.ratelimit.QuotaViolation"
    rule = client.get("/_mock/faults/two-429s").get_json()
    assert (rule["matched"], rule["fired"]) == (2, 2)


def test_journal_marks_the_rule_that_fired(client):
    add_rule(client, id="once", path=UNIT, response={"preset": "serviceUnavailable"}, times=1)
    client.get(UNIT, headers=KEY)
    client.get(UNIT, headers=KEY)
    first, second = journal(client)
    assert first["status"] == 503 and first["fault"] == {"rule": "once", "latencyMs": 0, "dropped": False}
    assert second["status"] == 200 and "fault" not in second


def test_create_fault_rule_defaults(client):
    rule = add_rule(client, drop=True)
    assert rule["method"] == "*" and rule["path"] == "/**" and rule["source"] == "controlPlane"
    assert len(rule["id"]) == 24 and (rule["matched"], rule["fired"]) == (0, 0)
    assert client.get("/_mock/faults").get_json()["rules"] == [rule]


def test_fault_rule_glob_star_stays_in_one_segment(client):
    add_rule(client, path="/v1/business-units/*", response={"status": 500})
    assert client.get(f"{UNIT}/locations", headers=KEY).status_code == 200
    assert client.get(UNIT, headers=KEY).status_code == 500


def test_fault_rule_glob_double_star_crosses_segments(client):
    add_rule(client, path="/v1/**/locations", response={"status": 500})
    assert client.get(f"{UNIT}/locations", headers=KEY).status_code == 500


def test_fault_rule_matches_the_method(client):
    add_rule(client, method="POST", path="/v1/**", response={"status": 500})
    assert client.get(UNIT, headers=KEY).status_code == 200


def test_fault_rule_matches_the_apikey(client):
    add_rule(client, credentials={"apikey": "other-partner-key"}, response={"status": 500})
    assert client.get(UNIT, headers=KEY).status_code == 200
    assert client.get(UNIT, headers={"apikey": "other-partner-key"}).status_code == 500


def test_fault_rule_matches_a_bearer_present(client):
    token = password_token(client)["access_token"]
    add_rule(client, credentials={"bearer": True}, response={"status": 500})
    assert client.get(UNIT, headers=KEY).status_code == 200
    assert client.get(UNIT, headers={"Authorization": f"Bearer {token}"}).status_code == 500


def test_fault_rule_matches_the_tokens_client_id(client):
    token = password_token(client)["access_token"]
    add_rule(client, credentials={"clientId": "demo-partner-key"}, response={"status": 500})
    assert client.get(UNIT, headers={"Authorization": f"Bearer {token}"}).status_code == 500


def test_fault_rule_never_applies_to_the_control_plane(client):
    add_rule(client, path="/**", drop=True)
    assert client.get("/_mock/clock").status_code == 200


def test_first_firing_rule_decides(client):
    add_rule(client, id="first", response={"status": 502})
    add_rule(client, id="second", response={"status": 503})
    assert client.get(UNIT, headers=KEY).status_code == 502
    assert client.get("/_mock/faults/second").get_json()["matched"] == 0


# -- rules: what they answer --------------------------------------------------------------------
def test_preset_internal_server_error(client):
    add_rule(client, response={"preset": "internalServerError"})
    response = client.get(UNIT, headers=KEY)
    assert response.status_code == 500 and response.get_json()["errorCode"] == 1500


def test_preset_unknown_error_is_an_empty_520(client):
    add_rule(client, response={"preset": "unknownError"})
    response = client.get(UNIT, headers=KEY)
    assert response.status == "520 Unknown error"
    assert response.mimetype == "text/plain" and response.get_data() == b""


def test_preset_request_blocked_is_cloudfronts_html_403(client):
    add_rule(client, response={"preset": "requestBlocked"})
    response = client.get(UNIT, headers=KEY)
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert response.headers["X-Cache"] == "Error from cloudfront"
    assert "Request blocked." in response.get_data(as_text=True)


def test_custom_response_body_and_headers(client):
    add_rule(client, response={"status": 418, "body": {"teapot": True}, "headers": {"X-Why": "test"}})
    response = client.get(UNIT, headers=KEY)
    assert (response.status_code, response.get_json(), response.headers["X-Why"]) == (418, {"teapot": True}, "test")


def test_preset_with_overrides(client):
    add_rule(client, response={"preset": "rateLimited", "headers": {"Retry-After": "30"}, "body": "slow down"})
    response = client.get(UNIT, headers=KEY)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "30")
    assert response.mimetype == "text/plain" and response.get_data(as_text=True) == "slow down"


def test_latency_rule_delays_then_the_route_answers(client, monkeypatch):
    slept = []  # the delay asked of the clock, not a measured one: tests never time
    monkeypatch.setattr("mock_server.api.faults.time.sleep", slept.append)
    add_rule(client, latencyMs=200)
    response = client.get(UNIT, headers=KEY)
    assert response.status_code == 200 and slept == [0.2]
    assert journal(client)[-1]["fault"]["latencyMs"] == 200


def test_dropped_connection_in_process_raises(client):
    add_rule(client, id="drop", drop=True)
    with pytest.raises(ConnectionDropped, match="fault rule 'drop'"):
        client.get(UNIT, headers=KEY)
    entry = journal(client)[-1]
    assert entry["status"] == 444 and entry["fault"]["dropped"] is True


def test_dropped_connection_over_http_is_a_connection_error(live):
    requests.post(live + "/_mock/faults", json={"path": "/v1/business-units/*", "drop": True, "times": 1},
                  timeout=5).raise_for_status()
    with pytest.raises(requests.ConnectionError):
        requests.get(live + UNIT, headers=KEY, timeout=5)
    assert requests.get(live + UNIT, headers=KEY, timeout=5).status_code == 200


# -- rules: probability, scenario, reset ----------------------------------------------------------
def test_probability_rule_gives_the_same_sequence_after_a_reset(client):
    load_world(client, faults=[{"id": "flaky", "response": {"preset": "serviceUnavailable"}, "probability": 0.5}])
    first = [client.get(FIND, headers=KEY).status_code for _ in range(20)]
    client.post("/_mock/reset")
    again = [client.get(FIND, headers=KEY).status_code for _ in range(20)]
    assert first == again and set(first) == {200, 503}


def test_reset_reloads_the_scenarios_rules_only(client):
    load_world(client, faults=[{"id": "from-scenario", "latencyMs": 1}])
    add_rule(client, id="from-control-plane", latencyMs=1)
    client.get(UNIT, headers=KEY)
    client.post("/_mock/reset")
    rules = client.get("/_mock/faults").get_json()["rules"]
    assert [(r["id"], r["source"], r["matched"]) for r in rules] == [("from-scenario", "scenario", 0)]


def test_load_scenario_duplicate_fault_rule_ids(client):
    response = client.post("/_mock/scenario", json={"name": "x", "faults": [{"id": "a", "drop": True},
                                                                             {"id": "a", "drop": True}]})
    body = response.get_json()
    assert (response.status_code, body["errorCode"]) == (400, 1201)
    assert "faults[1].id: duplicate fault rule id 'a' (first used at faults[0].id)" in body["details"]


def test_clear_fault_rules(client):
    add_rule(client, response={"status": 500})
    assert client.delete("/_mock/faults").status_code == 204
    assert client.get(UNIT, headers=KEY).status_code == 200


def test_delete_fault_rule(client):
    add_rule(client, id="gone", response={"status": 500})
    assert client.delete("/_mock/faults/gone").status_code == 204
    assert client.get(UNIT, headers=KEY).status_code == 200


# -- rules: refused input -------------------------------------------------------------------------
def test_create_fault_rule_unknown_field(client):
    refused(client.post("/_mock/faults", json={"drop": True, "latency": 5}), "unknown field(s) 'latency' in the body")


def test_create_fault_rule_without_an_effect(client):
    refused(client.post("/_mock/faults", json={"path": "/v1/**"}),
            "a rule needs an effect: give 'response', 'latencyMs' and/or 'drop'")


def test_create_fault_rule_drop_and_response(client):
    refused(client.post("/_mock/faults", json={"drop": True, "response": {"status": 500}}),
            "'drop' and 'response' exclude each other: a dropped connection sends no response")


def test_create_fault_rule_response_without_status_or_preset(client):
    refused(client.post("/_mock/faults", json={"response": {"body": "x"}}),
            "'response' needs a 'preset' (rateLimited, internalServerError, serviceUnavailable, unknownError, "
            "requestBlocked) or a 'status'")


def test_create_fault_rule_status_out_of_range(client):
    refused(client.post("/_mock/faults", json={"response": {"status": 700}}),
            "'response.status': 700 is greater than the maximum of 599")


def test_create_fault_rule_on_the_control_plane(client):
    refused(client.post("/_mock/faults", json={"path": "/_mock/reset", "drop": True}),
            "faults never apply to the control plane: 'path' must not start with /_mock")


def test_create_fault_rule_taken_id(client):
    add_rule(client, id="twice", drop=True)
    response = client.post("/_mock/faults", json={"id": "twice", "drop": True})
    body = response.get_json()
    assert (response.status_code, body["errorCode"]) == (409, 1009)
    assert body["details"].startswith("a fault rule with the id 'twice' exists")


def test_delete_fault_rule_unknown(client):
    response = client.delete("/_mock/faults/nope")
    body = response.get_json()
    assert (response.status_code, body["errorCode"]) == (404, 1004)
    assert body["details"] == "no fault rule has the id 'nope'; GET /_mock/faults lists them"


# -- the rate ceiling -------------------------------------------------------------------------
def test_get_rate_ceiling_is_off_by_default(client):
    assert client.get("/_mock/rate-ceiling").get_json() == {
        "enabled": False, "limits": [{"calls": 833, "seconds": 300}, {"calls": 10000, "seconds": 3600}], "clients": []}


def test_rate_ceiling_refuses_the_834th_call_in_five_minutes_until_the_clock_moves(client):
    assert client.put("/_mock/rate-ceiling", json={}).get_json()["enabled"] is True
    assert all(client.get(FIND, headers=KEY).status_code == 200 for _ in range(833))
    refused_call = client.get(FIND, headers=KEY)
    assert refused_call.status_code == 429 and 1 <= int(refused_call.headers["Retry-After"]) <= 300
    assert refused_call.get_json()["fault"]["detail"]["errorcode"] == "policies.ratelimit.QuotaViolation"
    assert journal(client)[-1]["fault"]["rule"] == "rate-ceiling"
    client.post("/_mock/clock/advance", json={"seconds": 300})
    assert client.get(FIND, headers=KEY).status_code == 200


def test_rate_ceiling_counts_each_client_apart(client):
    client.put("/_mock/rate-ceiling", json={"limits": [{"calls": 2, "seconds": 60}]})
    statuses = [client.get(FIND, headers=key).status_code
                for key in (KEY, KEY, KEY, {"apikey": "other-partner-key"})]
    assert statuses == [200, 200, 429, 200]
    clients = client.get("/_mock/rate-ceiling").get_json()["clients"]
    assert [(c["client"], c["windows"][0]["calls"]) for c in clients] == [("demo-partner-key", 2),
                                                                           ("other-partner-key", 1)]


def test_rate_ceiling_counts_a_bearer_as_its_client(client):
    token = password_token(client)["access_token"]
    client.put("/_mock/rate-ceiling", json={"limits": [{"calls": 1, "seconds": 60}]})
    assert client.get(FIND, headers=KEY).status_code == 200
    assert client.get(FIND, headers={"Authorization": f"Bearer {token}"}).status_code == 429


def test_rate_ceiling_from_scenario_settings(client):
    load_world(client, settings={"rateCeiling": {"limits": [{"calls": 1, "seconds": 3600}]}})
    assert [client.get(FIND, headers=KEY).status_code for _ in range(2)] == [200, 429]
    assert client.get("/_mock/state").get_json()["settings"]["rateCeiling"] == {
        "enabled": True, "limits": [{"calls": 1, "seconds": 3600}]}


def test_set_rate_ceiling_off(client):
    client.put("/_mock/rate-ceiling", json={"limits": [{"calls": 1, "seconds": 60}]})
    client.put("/_mock/rate-ceiling", json={"enabled": False})
    assert [client.get(FIND, headers=KEY).status_code for _ in range(2)] == [200, 200]


def test_set_rate_ceiling_invalid_limit(client):
    refused(client.put("/_mock/rate-ceiling", json={"limits": [{"calls": 0, "seconds": 60}]}),
            "'limits[0].calls': 0 is less than the minimum of 1")


def test_rate_ceiling_is_shared_by_the_workers(live):
    requests.put(live + "/_mock/rate-ceiling", json={"limits": [{"calls": 3, "seconds": 300}]},
                 timeout=5).raise_for_status()
    answers = [requests.get(live + FIND, headers=KEY, timeout=5) for _ in range(6)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 429]


def test_create_fault_rule_reaches_every_worker(live):
    """Each worker caches "no rule is active"; a rule added through one must reach the other."""
    def pids_answering(status):
        answers = from_both_workers(lambda: requests.get(live + UNIT, headers=KEY, timeout=5))
        assert {a.status_code for a in answers} == {status}
        entries = requests.get(live + "/_mock/journal", params={"limit": 1000}, timeout=5).json()["entries"]
        return {e["pid"] for e in entries[-len(answers):]}

    assert len(pids_answering(200)) == 2  # both workers have read the rules (none) by now
    created = requests.post(live + "/_mock/faults", json={"id": "down", "path": "/v1/business-units/*",
                                                          "response": {"preset": "serviceUnavailable"}}, timeout=5)
    assert created.status_code == 201
    try:
        assert len(pids_answering(503)) == 2
    finally:
        requests.delete(live + "/_mock/faults/down", timeout=5)


# -- the two schemas say the same -------------------------------------------------------------
@pytest.mark.parametrize(("control", "definition"), [("FaultRuleInput", "faultRule"),
                                                     ("RateCeilingInput", "rateCeiling")])
def test_control_plane_and_scenario_schemas_agree(control, definition):
    openapi = yaml.safe_load((ROOT / "openapi" / "control.yaml").read_text())["components"]["schemas"][control]
    defs = json.loads(scenario.SCHEMA_PATH.read_text())["$defs"][definition]
    assert _without_description(openapi) == _without_description(defs)


def _without_description(schema):
    return {k: v for k, v in schema.items() if k != "description"}
