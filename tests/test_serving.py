"""`trustpilot-mock serve` over real HTTP: workers share one state, --state survives restarts,
and scenario files are validated (by `scenario validate` and at `serve` start) with file:line: field."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import DEMO_BU, PARTNER_ID, ROOT, TOKEN_PATH, free_port, start_server, stop_server

PARTNER = ("demo-partner-key", "demo-partner-secret")
PARTNER_USER = {"username": "partner@demo-partner.test", "password": "partner-password"}
BROKEN_PLAN = """\
name: broken plan
partners:
  - id: cd94b09c-8f89-11ea-bc55-0242ac130003
    name: Demo Partner
    apiKey: demo-partner-key
    apiSecret: demo-partner-secret
businessUnits:
  - id: 507f191e810c19729de860ea
    domain: trustpilotdemo.com
    plan: gold
"""
PLAN_PROBLEM = "businessUnits[0].plan: 'gold' is not one of: free, standard, premium, advanced, enterprise"
BROKEN_SYNTAX = """\
name: broken syntax
businessUnits:
  - id: 507f191e810c19729de860ea
    domain: trustpilotdemo.com
    plan: standard: premium
"""


def create_customer_key(base):
    token = requests.post(base + TOKEN_PATH, auth=PARTNER, data={"grant_type": "password", **PARTNER_USER},
                          timeout=10)
    assert token.status_code == 200, token.text
    created = requests.post(f"{base}/v1/private/partners/{PARTNER_ID}/key/{DEMO_BU}",
                            headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=10)
    assert created.status_code == 201, created.text
    return created.json()["apiKey"]


def get_business_unit(base, key):
    """One call with the customer key, on a connection of its own (no session)."""
    return requests.get(f"{base}/v1/business-units/{DEMO_BU}", timeout=10,
                        headers={"apikey": key, "x-partner-id": PARTNER_ID})


def cli(*args):
    return subprocess.run([sys.executable, "-m", "mock_server.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def broken_files(tmp_path):
    plan, syntax = tmp_path / "broken-plan.yaml", tmp_path / "broken-syntax.yaml"
    plan.write_text(BROKEN_PLAN)
    syntax.write_text(BROKEN_SYNTAX)
    return plan, syntax


def test_serve_two_workers_share_one_state(live):
    key = create_customer_key(live)  # written by whichever worker took that request

    with ThreadPoolExecutor(max_workers=4) as pool:  # concurrent, so both workers are kept busy
        responses = list(pool.map(lambda _: get_business_unit(live, key), range(40)))

    assert [r.status_code for r in responses] == [200] * 40
    assert {r.json()["id"] for r in responses} == {DEMO_BU}
    journal = requests.get(live + "/_mock/journal", params={"limit": 1000}, timeout=10).json()["entries"]
    reads = [e for e in journal if e["path"] == f"/v1/business-units/{DEMO_BU}"]
    assert len(reads) == 40 and all(e["status"] == 200 for e in reads)
    assert len({e["pid"] for e in reads}) == 2, "both workers should have answered"


def test_serve_state_file_survives_restart_and_reset_discards_it(tmp_path):
    state = str(tmp_path / "state.db")
    proc, base = start_server("--state", state)
    try:
        key = create_customer_key(base)
        advanced = requests.post(base + "/_mock/clock/advance", json={"hours": 5}, timeout=10)
        assert advanced.status_code == 200
        offset = advanced.json()["offsetSeconds"]
        assert offset >= 5 * 3600 - 60  # the default world starts the clock at real time
    finally:
        stop_server(proc)

    proc, base = start_server("--state", state)
    try:
        assert get_business_unit(base, key).status_code == 200
        assert requests.get(base + "/_mock/clock", timeout=10).json()["offsetSeconds"] == offset
    finally:
        stop_server(proc)
    assert (f"Resumed the world 'default' kept in {state}; the --scenario file was not loaded "
            "(pass --reset to load it).") in proc.stdout.read()

    proc, base = start_server("--state", state, "--reset")
    try:
        response = get_business_unit(base, key)
        assert response.status_code == 401
        assert response.json()["fault"] == {
            "faultstring": "Invalid ApiKey",
            "detail": {"errorcode": "oauth.v2.InvalidApiKey", "reason": "the apikey sent (header or query "
                       "parameter) is not the API key of any application in this sandbox"}}
        assert requests.get(base + "/_mock/clock", timeout=10).json()["offsetSeconds"] == 0
    finally:
        stop_server(proc)


def test_scenario_validate_default_world_exits_0():
    result = cli("scenario", "validate", "scenarios/default.yaml")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "scenarios/default.yaml: valid scenario 'default' (2 partners, 5 business units)\n"


def test_scenario_validate_bad_field_exits_1_naming_file_line_and_field(broken_files):
    plan, _ = broken_files

    result = cli("scenario", "validate", str(plan))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"{plan}:10: {PLAN_PROBLEM}\n"


def test_scenario_validate_yaml_syntax_error_exits_1_naming_file_and_line(broken_files):
    _, syntax = broken_files

    result = cli("scenario", "validate", str(syntax))

    assert result.returncode == 1
    # file:line:column; libyaml and pure-Python PyYAML word the problem (and count columns) differently
    assert result.stderr.startswith(f"{syntax}:5:")
    assert ": not valid YAML: mapping values are not allowed " in result.stderr
    assert result.stderr.count("\n") == 1


def test_serve_broken_scenario_exits_2_without_starting(broken_files):
    plan, _ = broken_files

    result = cli("serve", "--scenario", str(plan), "--port", str(free_port()))  # a server would not return

    assert result.returncode == 2
    assert result.stdout == ""  # not even the banner
    assert result.stderr == f"{plan}:10: {PLAN_PROBLEM}\n"
    assert "Booting worker" not in result.stderr and "Listening at" not in result.stderr
