"""Testing an integration with the sandbox's pytest plugin: no fixture to write, nothing to start."""

import pytest
import requests

DEMO_BU = "507f191e810c19729de860ea"
PARTNER_ID = "cd94b09c-8f89-11ea-bc55-0242ac130003"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"


# The integration under test: plain `requests`, pointed at Trustpilot by its base URL only.
def find_business_unit(api_url, api_key, domain):
    response = requests.get(f"{api_url}/v1/business-units/find", params={"name": domain},
                            headers={"apikey": api_key}, timeout=10)
    response.raise_for_status()
    return response.json()["id"]


def partner_token(api_url):
    response = requests.post(api_url + TOKEN_PATH, auth=("demo-partner-key", "demo-partner-secret"),
                             data={"grant_type": "password", "username": "partner@demo-partner.test",
                                   "password": "partner-password"}, timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]


def is_eligible(api_url, token, business_unit_id):
    response = requests.get(f"{api_url}/v1/private/partners/{PARTNER_ID}/check/{business_unit_id}",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return response.status_code == 201


# The tests: `trustpilot_sandbox` is the default world, loaded afresh for each test.
def test_find_business_unit(trustpilot_sandbox):
    assert find_business_unit(trustpilot_sandbox.api_url, "demo-partner-key", "trustpilotdemo.com") == DEMO_BU
    trustpilot_sandbox.assert_called("GET", "/v1/business-units/find", times=1, status=200,
                                     query={"name": "trustpilotdemo.com"}, apikey="demo-partner-key")


def test_eligibility_follows_the_customers_plan(trustpilot_sandbox):
    token = partner_token(trustpilot_sandbox.api_url)
    assert is_eligible(trustpilot_sandbox.api_url, token, DEMO_BU)
    trustpilot_sandbox.update_business_unit(DEMO_BU, plan="free")  # the customer downgrades
    assert not is_eligible(trustpilot_sandbox.api_url, token, DEMO_BU)
    trustpilot_sandbox.assert_called("GET", f"/v1/private/partners/{PARTNER_ID}/check/*", times=2, bearer="valid")


def test_tokens_expire_on_the_virtual_clock(trustpilot_sandbox):
    token = partner_token(trustpilot_sandbox.api_url)
    trustpilot_sandbox.advance_clock(hours=101)  # access tokens live 100 hours
    assert not is_eligible(trustpilot_sandbox.api_url, token, DEMO_BU)
    trustpilot_sandbox.assert_called("GET", "/v1/private/partners/*/check/*", status=403, bearer="expired")


def test_every_test_starts_afresh(trustpilot_sandbox):
    assert trustpilot_sandbox.journal() == []
    units = {unit["id"]: unit for unit in trustpilot_sandbox.state()["businessUnits"]}
    assert units[DEMO_BU]["plan"] == "standard"  # the downgrade above is gone


@pytest.mark.trustpilot_scenario("tiny.yaml")  # beside this file; or a world as a dict
def test_a_world_of_its_own(trustpilot_sandbox):
    assert find_business_unit(trustpilot_sandbox.api_url, "tiny-key", "tiny.example") == "a" * 24
    with pytest.raises(requests.HTTPError):
        find_business_unit(trustpilot_sandbox.api_url, "tiny-key", "trustpilotdemo.com")
    trustpilot_sandbox.assert_called("GET", "/v1/business-units/find", status=404, query={"name": "trustpilotdemo.com"})


def test_a_session_that_reaches_the_sandbox_in_every_mode(trustpilot_sandbox):
    response = trustpilot_sandbox.session.get(f"{trustpilot_sandbox.api_url}/v1/business-units/{DEMO_BU}",
                                              headers={"apikey": "demo-partner-key"})
    assert response.json()["displayName"] == "Trustpilot Demo"


def test_a_fault_rule_fires_once(trustpilot_sandbox):
    trustpilot_sandbox.add_fault({"id": "one-429", "path": "/v1/business-units/find",
                                  "response": {"preset": "rateLimited"}, "times": 1})
    with pytest.raises(requests.HTTPError):
        find_business_unit(trustpilot_sandbox.api_url, "demo-partner-key", "trustpilotdemo.com")
    assert find_business_unit(trustpilot_sandbox.api_url, "demo-partner-key", "trustpilotdemo.com") == DEMO_BU
    trustpilot_sandbox.assert_called("GET", "/v1/business-units/find", times=1, status=429, fault="one-429")


def test_a_failed_journal_assertion_shows_the_near_misses(trustpilot_sandbox):
    find_business_unit(trustpilot_sandbox.api_url, "demo-partner-key", "trustpilotdemo.com")
    with pytest.raises(AssertionError) as failure:
        trustpilot_sandbox.assert_called("GET", "/v1/business-units/find", apikey="other-partner-key")
    assert "apikey 'demo-partner-key', not 'other-partner-key'" in str(failure.value)


@pytest.mark.trustpilot_server  # this one over real HTTP, whatever the command line says
def test_over_real_http(trustpilot_sandbox):
    assert trustpilot_sandbox.api_url.startswith("http://")
    assert find_business_unit(trustpilot_sandbox.api_url, "demo-partner-key", "trustpilotdemo.com") == DEMO_BU
