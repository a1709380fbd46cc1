"""The reference partner integration (examples/reference_integration) against a real emulator:
its commands and its web app run as subprocesses, as the conformance kit runs them, each test in
a sandbox of its own whose partner has the integration's redirect URI registered."""

import copy
import functools
import json
import os
import re
import subprocess
import sys
import time
import uuid
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import yaml

from conftest import free_port
from helpers import (DEMO_BU, NOLOCATIONS_BU, NOPERMS_BU, PARTNER, PARTNER_ID, PARTNER_USER, REFRESH_PATH,
                     TOKEN_PATH)

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "examples" / "reference_integration"
DEMO_ADMIN = ("admin@trustpilotdemo.com", "customer-password")
NOLOCATIONS_ADMIN = ("admin@nolocations.example", "customer-password")
SECRETS = (PARTNER[0], PARTNER[1], PARTNER_USER[1])


@functools.cache
def _default_world():
    return yaml.safe_load((ROOT / "scenarios" / "default.yaml").read_text())


def world(port, two_factor=False):
    """The default world, with the integration's callback as the demo partner's only redirect URI."""
    scenario = copy.deepcopy(_default_world())
    partner = scenario["partners"][0]
    partner["redirectUris"] = [f"http://127.0.0.1:{port}/trustpilot/callback"]
    partner["users"][0]["twoFactor"] = two_factor
    return scenario


class Integration:
    """One integration (data folder, web app port) pointed at one sandbox of the live emulator."""

    def __init__(self, server, folder, two_factor=False):
        self.port = free_port()
        self.name = "ri-" + uuid.uuid4().hex[:12]
        response = requests.post(server + "/_mock/sandboxes", json={"name": self.name,
                                                                    "scenario": world(self.port, two_factor)})
        assert response.status_code == 201, response.text
        self.server, self.sandbox, self.web = server, f"{server}/_sandbox/{self.name}", None
        self.data, self.web_log = folder / "data", folder / "web.log"
        self.data.mkdir()
        self.env = {**os.environ, "TRUSTPILOT_API_BASE_URL": self.sandbox,
                    "TRUSTPILOT_AUTHENTICATE_URL": self.sandbox + "/authenticate",
                    "TRUSTPILOT_INVITATIONS_BASE_URL": self.sandbox, "TRUSTPILOT_PARTNER_ID": PARTNER_ID,
                    "TRUSTPILOT_API_KEY": PARTNER[0], "TRUSTPILOT_API_SECRET": PARTNER[1],
                    "TRUSTPILOT_USERNAME": PARTNER_USER[0], "TRUSTPILOT_PASSWORD": PARTNER_USER[1],
                    "REFERENCE_INTEGRATION_DATA": str(self.data)}

    def run(self, *args):
        result = subprocess.run([sys.executable, "-m", "reference_integration", *args], cwd=INTEGRATION,
                                env=self.env, capture_output=True, text=True, timeout=60)
        for secret in SECRETS + self.stored_secrets():
            assert secret not in result.stdout + result.stderr, f"a secret in the output of {args}"
        return result

    def stored_secrets(self):
        state = self.state()
        values = [state["partnerToken"]["accessToken"]] if state.get("partnerToken") else []
        for customer in state.get("customers", {}).values():
            values += [customer["apiKey"], customer["apiSecret"], *(customer.get("token") or {}).values()]
        return tuple(v for v in values if isinstance(v, str))

    def state(self):
        path = self.data / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def serve(self):
        """Start the web app (once) and wait for its health check."""
        if self.web is None:
            with open(self.web_log, "w") as log:
                self.web = subprocess.Popen([sys.executable, "-m", "reference_integration", "serve", "--port",
                                             str(self.port)], cwd=INTEGRATION, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
            for _ in range(200):
                try:
                    requests.get(self.url("/health"), timeout=0.5).raise_for_status()
                    break
                except requests.ConnectionError:
                    assert self.web.poll() is None, self.web_log.read_text()
                    time.sleep(0.02)
            else:
                pytest.fail("the web app did not answer /health")
        return self

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def connect(self, unit, user=DEMO_ADMIN):
        """The customer's browser: Connect Trustpilot, the login form, back to the callback."""
        browser = requests.Session()
        start = browser.get(self.url(f"/trustpilot/connect?businessUnitId={unit}"), allow_redirects=False)
        assert start.status_code == 302, start.text
        login = browser.get(start.headers["Location"])
        assert login.status_code == 200, login.text
        action = unescape(re.search(r'<form method="post" action="([^"]+)"', login.text).group(1))
        fields = {unescape(name): unescape(value) for name, value in
                  re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', login.text)}
        signed_in = browser.post(self.server + action, data={**fields, "username": user[0], "password": user[1]},
                                 allow_redirects=False)
        assert signed_in.status_code == 302, signed_in.text
        callback = signed_in.headers["Location"]
        return start.headers["Location"], callback, browser.get(callback)

    def web_output(self):
        """What the web app logged; it must hold no secret, code or state."""
        text = self.web_log.read_text()
        for secret in SECRETS + self.stored_secrets():
            assert secret not in text
        return text

    def journal(self):
        return requests.get(self.sandbox + "/_mock/journal", params={"limit": 10000}).json()["entries"]

    def grants(self, grant_type):
        """The token-endpoint calls of one grant type, in order."""
        return [e for e in self.journal() if e["path"] in (TOKEN_PATH, REFRESH_PATH)
                and ["grant_type", grant_type] in (e.get("form") or [])]

    def control(self, path, body):
        response = requests.post(self.sandbox + "/_mock" + path, json=body)
        assert response.status_code < 300, response.text
        return response.json()

    def close(self):
        if self.web is not None:
            self.web.terminate()
            self.web.wait(timeout=10)
        requests.delete(f"{self.server}/_mock/sandboxes/{self.name}")


@pytest.fixture
def integration(live_server, tmp_path):
    made = Integration(live_server, tmp_path)
    yield made
    made.close()


@pytest.fixture
def connected(integration):
    """The demo customer onboarded and connected through the login form."""
    assert integration.run("onboard", "trustpilotdemo.com").returncode == 0
    _, _, callback = integration.serve().connect(DEMO_BU)
    assert callback.status_code == 200 and "Connected" in callback.text
    return integration


def public_review(integration, unit=DEMO_BU):
    response = requests.get(f"{integration.sandbox}/v1/business-units/{unit}/reviews", params={"perPage": 1},
                            headers={"apikey": PARTNER[0]})
    return response.json()["reviews"][0]["id"]


# -- onboarding (steps 2-5) -----------------------------------------------------------------
def test_onboard_stores_customer_keys_and_reuses_the_partner_token(integration):
    first = integration.run("onboard", "trustpilotdemo.com")
    second = integration.run("onboard", "nolocations.example")
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert "Onboarded Trustpilot Demo" in first.stdout
    customers = integration.state()["customers"]
    assert set(customers) == {DEMO_BU, NOLOCATIONS_BU}
    assert all(c["apiKey"] and c["apiSecret"] for c in customers.values())
    assert len(integration.grants("password")) == 1
    keys = [e for e in integration.journal() if "/key/" in e["path"]]
    assert [(e["method"], e["status"]) for e in keys] == [("POST", 201), ("POST", 201)]


def test_onboard_permissions_off_exits_nonzero_and_creates_no_key(integration):
    result = integration.run("onboard", "noperms.example")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: No Permissions Ltd")
    assert "partner permissions are off" in result.stderr  # Trustpilot's own reason
    assert "Account > Permissions" in result.stderr and "Admin role" in result.stderr
    assert not [e for e in integration.journal() if "/key/" in e["path"]]
    assert NOPERMS_BU not in integration.state().get("customers", {})


def test_onboard_free_plan_tells_to_upgrade(integration):
    result = integration.run("onboard", "freeplan.example")
    assert result.returncode == 1 and "paid Trustpilot plan" in result.stderr
    assert "Account > Permissions" not in result.stderr


def test_onboard_unknown_domain_names_it(integration):
    result = integration.run("onboard", "nosuch.example")
    assert result.returncode == 1
    assert result.stderr == "error: Trustpilot has no business unit for the domain 'nosuch.example': check the " \
                            "domain the customer entered (a bare domain such as example.com)\n"


def test_onboard_two_factor_partner_user_fails_once_without_retry(live_server, tmp_path):
    integration = Integration(live_server, tmp_path, two_factor=True)
    try:
        result = integration.run("onboard", "trustpilotdemo.com")
        assert result.returncode == 1
        assert "2-step verification enabled" in result.stderr and "disable 2-step verification" in result.stderr
        tokens = [e for e in integration.journal() if e["path"] == TOKEN_PATH]
        assert [e["status"] for e in tokens] == [401]
        assert not [e for e in integration.journal() if "/partners/" in e["path"]]
    finally:
        integration.close()


def test_onboard_after_clock_jump_renews_the_partner_token_once(integration):
    assert integration.run("onboard", "trustpilotdemo.com").returncode == 0
    integration.control("/clock/advance", {"hours": 101})
    result = integration.run("onboard", "nolocations.example")
    assert result.returncode == 0, result.stderr
    assert len(integration.grants("password")) == 1 and len(integration.grants("refresh_token")) == 1


# -- consent (step 6) -----------------------------------------------------------------------
def test_consent_through_the_login_form_stores_the_customer_token(connected):
    login, _, _ = connected.connect(DEMO_BU)  # a second Connect click works as well
    query = parse_qs(urlsplit(login).query)
    customer = connected.state()["customers"][DEMO_BU]
    assert query["client_id"] == [customer["apiKey"]] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [connected.url("/trustpilot/callback")]
    assert customer["token"]["accessToken"].startswith("tpa-")
    exchanges = connected.grants("authorization_code")
    assert [e["status"] for e in exchanges] == [200, 200]
    assert all(e["credentials"]["partnerIdHeader"] == PARTNER_ID for e in exchanges)


def test_callback_replayed_unknown_or_error_is_refused_without_token_request(integration):
    assert integration.run("onboard", "trustpilotdemo.com").returncode == 0
    _, callback, first = integration.serve().connect(DEMO_BU)
    assert first.status_code == 200 and "Connected" in first.text
    replay = requests.get(callback)
    assert replay.status_code == 400 and "already completed" in replay.text
    forged = requests.get(integration.url("/trustpilot/callback?code=abc&state=not-ours"))
    assert forged.status_code == 400 and "not started here" in forged.text
    denied = requests.get(integration.url("/trustpilot/callback?error=access_denied"))
    assert denied.status_code == 400
    assert len(integration.grants("authorization_code")) == 1
    assert "code=" not in integration.web_output() and "state=" not in integration.web_output()


def test_connect_unknown_business_unit_is_not_found(integration):
    response = requests.get(integration.serve().url(f"/trustpilot/connect?businessUnitId={NOPERMS_BU}"),
                            allow_redirects=False)
    assert response.status_code == 404 and "not onboarded" in response.text
    assert requests.get(integration.url("/")).status_code == 200


# -- use cases (step 7) ---------------------------------------------------------------------
def test_ingest_counts_every_review_and_location(connected):
    assert connected.run("onboard", "nolocations.example").returncode == 0
    connected.connect(NOLOCATIONS_BU, NOLOCATIONS_ADMIN)
    for unit, locations in ((DEMO_BU, 450), (NOLOCATIONS_BU, 0)):
        total = requests.get(f"{connected.sandbox}/v1/business-units/{unit}",
                             headers={"apikey": PARTNER[0]}).json()["numberOfReviews"]["total"]
        result = connected.run("ingest", unit)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"businessUnitId": unit, "reviews": total, "locations": locations}
    pages = [e for e in connected.journal() if e["path"].endswith("/reviews") and "/private/" in e["path"]]
    assert all(["perPage", "100"] in e["query"] for e in pages)
    assert all(e["credentials"]["partnerIdHeader"] == PARTNER_ID for e in pages)


def test_ingest_before_consent_says_to_connect(integration):
    assert integration.run("onboard", "trustpilotdemo.com").returncode == 0
    result = integration.run("ingest", DEMO_BU)
    assert result.returncode == 1 and "has not connected Trustpilot yet" in result.stderr


def test_reply_invite_and_showcase_as_the_customer(connected):
    review = public_review(connected)
    assert connected.run("reply", DEMO_BU, review, "Thank you for the review!").returncode == 0
    shown = requests.get(f"{connected.sandbox}/v1/reviews/{review}", headers={"apikey": PARTNER[0]}).json()
    assert shown["companyReply"]["text"] == "Thank you for the review!"

    assert connected.run("invite", DEMO_BU, "jane@example.com", "Jane Doe", "order-1001").returncode == 0
    invitations = requests.get(connected.sandbox + "/_mock/invitations").json()["invitations"]
    assert [(i["consumerEmail"], i["consumerName"], i["referenceNumber"]) for i in invitations] == [
        ("jane@example.com", "Jane Doe", "order-1001")]

    showcase = connected.run("showcase", DEMO_BU)
    assert showcase.returncode == 0 and showcase.stdout.startswith("Trustpilot Demo: TrustScore ")
    assert len(showcase.stdout.splitlines()) == 4  # the summary and the 3 latest reviews


def test_reply_after_clock_jump_refreshes_the_customer_token_once(connected):
    before = connected.state()["customers"][DEMO_BU]["token"]["accessToken"]
    connected.control("/clock/advance", {"hours": 101})
    result = connected.run("reply", DEMO_BU, public_review(connected), "Thanks!")
    assert result.returncode == 0, result.stderr
    replies = [e["status"] for e in connected.journal() if e["path"].endswith("/reply")]
    assert replies == [401, 201]
    refreshes = connected.grants("refresh_token")
    assert [e["status"] for e in refreshes] == [200] and refreshes[0]["credentials"]["partnerIdHeader"] == PARTNER_ID
    assert connected.state()["customers"][DEMO_BU]["token"]["accessToken"] != before


# -- robustness -----------------------------------------------------------------------------
def test_onboard_waits_out_rate_limits_and_server_errors(integration):
    find = "/v1/business-units/find"
    integration.control("/faults", {"id": "busy", "method": "GET", "path": find, "times": 2,
                                    "response": {"preset": "rateLimited", "headers": {"Retry-After": "0"}}})
    integration.control("/faults", {"id": "down", "method": "GET", "path": find, "times": 1,
                                    "response": {"preset": "serviceUnavailable"}})
    result = integration.run("onboard", "trustpilotdemo.com")
    assert result.returncode == 0, result.stderr
    assert [e["status"] for e in integration.journal() if e["path"] == find] == [429, 429, 503, 200]


@pytest.fixture
def package(monkeypatch, tmp_path):
    """The integration imported in this process, with sleeps recorded instead of slept."""
    monkeypatch.syspath_prepend(str(INTEGRATION))
    import reference_integration

    sleeps = []
    monkeypatch.setattr(reference_integration.transport, "time", SimpleNamespace(sleep=sleeps.append))
    monkeypatch.setenv("REFERENCE_INTEGRATION_DATA", str(tmp_path))
    return reference_integration, sleeps


def _answers(monkeypatch, ri, *outcomes):
    """Make ri.send_once (the seam) answer these statuses or raise these exceptions, in turn."""
    calls = []

    def send_once(method, url, headers, body=None):
        outcome = outcomes[min(len(calls), len(outcomes) - 1)]
        calls.append(url)
        if isinstance(outcome, Exception):
            raise outcome
        return ri.transport.Response(outcome[0], outcome[1], b"{}")

    monkeypatch.setattr(ri, "send_once", send_once)
    return calls


def test_send_with_retries_gives_up_after_three_server_errors(package, monkeypatch):
    ri, sleeps = package
    calls = _answers(monkeypatch, ri, (503, {}))
    with pytest.raises(ri.IntegrationError, match=r"Trustpilot is unavailable: GET /v1/x failed 4 times, last "
                                                  r"it answered HTTP 503; try again later"):
        ri.send_with_retries("GET", "http://127.0.0.1:9/v1/x")
    assert len(calls) == 4 and sleeps == [0.2, 0.4, 0.8]


def test_send_with_retries_caps_retry_after_and_gives_up_after_three_429s(package, monkeypatch):
    ri, sleeps = package
    calls = _answers(monkeypatch, ri, (429, {"retry-after": "60"}))
    with pytest.raises(ri.IntegrationError, match="rate-limited GET /v1/x 4 times in a row"):
        ri.send_with_retries("GET", "http://127.0.0.1:9/v1/x")
    assert len(calls) == 4 and sleeps == [5.0, 5.0, 5.0]


def test_send_with_retries_retries_a_dropped_connection(package, monkeypatch):
    ri, sleeps = package
    calls = _answers(monkeypatch, ri, ConnectionResetError(), (200, {}))
    assert ri.send_with_retries("GET", "http://127.0.0.1:9/v1/x").status == 200
    assert len(calls) == 2 and sleeps == [0.2]
