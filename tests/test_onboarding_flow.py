"""The documented onboarding flow (program page steps 2-6) over real HTTP against `serve`,
including its negative branches, and the official `trustpilot` client against the same server."""

import subprocess
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
import trustpilot.client
from conftest import ROOT

from helpers import (DEMO_BU, FREE_BU, NOPERMS_BU, OTHER_PARTNER, PARTNER, PARTNER_ID, PARTNER_USER, REDIRECT,
                     REFRESH_PATH, TOKEN_PATH, TWOFACTOR_BU)

CUSTOMER = ("admin@trustpilotdemo.com", "customer-password")


class FormReader(HTMLParser):
    """Reads the login page's form the way a browser would: action, method, inputs."""

    def __init__(self):
        super().__init__()
        self.action, self.method, self.fields = None, None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action, self.method = attrs.get("action"), attrs.get("method", "get").lower()
        elif tag == "input" and "name" in attrs:
            self.fields[attrs["name"]] = attrs.get("value", "")


def partner_token(base, app=PARTNER, user=PARTNER_USER):
    response = requests.post(base + TOKEN_PATH, auth=app,
                             data={"grant_type": "password", "username": user[0], "password": user[1]})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token, partner_header=False):
    headers = {"Authorization": f"Bearer {token}"}
    if partner_header:
        headers["x-partner-id"] = PARTNER_ID
    return headers


def consent(base, key, user=CUSTOMER, redirect=REDIRECT, state="st-123"):
    """The customer's browser: open the login page, submit its form, stop at the redirect."""
    page_url = f"{base}/authenticate?" + requests.compat.urlencode(
        {"client_id": key, "redirect_uri": redirect, "response_type": "code", "state": state})
    page = requests.get(page_url)
    if page.status_code != 200:
        return page
    form = FormReader()
    form.feed(page.text)
    assert form.method == "post" and {"username", "password"} <= form.fields.keys()
    fields = {**form.fields, "username": user[0], "password": user[1]}
    return requests.post(urljoin(page_url, form.action), data=fields, allow_redirects=False)


def exchange_code(base, key, code, redirect=REDIRECT):
    return requests.post(base + TOKEN_PATH, auth=(key["apiKey"], key["apiSecret"]),
                         data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect})


def test_onboarding_flow_happy_path(live):
    # Step 2: partner token by the password grant.
    partner = partner_token(live)["access_token"]
    # Step 3: business unit id from the customer's domain (public route, API key).
    found = requests.get(live + "/v1/business-units/find", params={"name": "trustpilotdemo.com"},
                         headers={"apikey": PARTNER[0]})
    assert found.status_code == 200
    unit = found.json()["id"]
    # Step 4: eligibility.
    assert requests.get(f"{live}/v1/private/partners/{PARTNER_ID}/check/{unit}", headers=bearer(partner)).status_code == 201
    # Step 5: the customer's API key.
    created = requests.post(f"{live}/v1/private/partners/{PARTNER_ID}/key/{unit}", headers=bearer(partner))
    assert created.status_code == 201
    key = created.json()
    # Step 6: the customer consents on the login page; the code comes back with our state.
    redirect = consent(live, key["apiKey"])
    assert redirect.status_code == 302
    location = urlsplit(redirect.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    params = parse_qs(location.query)
    assert params["state"] == ["st-123"]
    tokens = exchange_code(live, key, params["code"][0])
    assert tokens.status_code == 200
    customer = tokens.json()["access_token"]
    # A call with the customer token and the partner id header.
    locations = requests.get(f"{live}/v1/business-units/{unit}/locations", headers=bearer(customer, partner_header=True))
    assert locations.status_code == 200 and len(locations.json()["locations"]) == 200
    assert locations.json()["links"][0]["href"].startswith(live + "/v1/business-units/")
    # ... and without the header the same call is refused.
    refused = requests.get(f"{live}/v1/business-units/{unit}/locations", headers=bearer(customer))
    assert refused.status_code == 403
    assert refused.json()["fault"]["detail"]["errorcode"] == "partner.MissingPartnerId"
    journal = requests.get(live + "/_mock/journal?limit=1000").json()["entries"]
    assert [e["status"] for e in journal if e["path"].startswith("/v1/private/partners/")] == [201, 201]
    assert customer not in str(journal) and partner not in str(journal)


def test_onboarding_ineligible_free_plan_gets_200_and_no_key(live):
    partner = partner_token(live)["access_token"]
    check = requests.get(f"{live}/v1/private/partners/{PARTNER_ID}/check/{FREE_BU}", headers=bearer(partner))
    assert check.status_code == 200 and check.json()["eligible"] is False
    key = requests.post(f"{live}/v1/private/partners/{PARTNER_ID}/key/{FREE_BU}", headers=bearer(partner))
    assert key.status_code == 200 and "apiKey" not in key.json()


def test_onboarding_completes_once_customer_enables_permissions(live):
    partner = partner_token(live)["access_token"]
    url = f"{live}/v1/private/partners/{PARTNER_ID}/check/{NOPERMS_BU}"
    assert requests.get(url, headers=bearer(partner)).status_code == 200
    toggled = requests.patch(f"{live}/_mock/business-units/{NOPERMS_BU}", json={"partnerPermissions": True})
    assert toggled.status_code == 200
    assert requests.get(url, headers=bearer(partner)).status_code == 201
    key = requests.post(f"{live}/v1/private/partners/{PARTNER_ID}/key/{NOPERMS_BU}", headers=bearer(partner))
    assert key.status_code == 201


def test_onboarding_wrong_partner_is_403_and_unknown_partner_is_404(live):
    other = partner_token(live, app=OTHER_PARTNER, user=("partner@other-partner.test", "other-partner-password"))
    forbidden = requests.get(f"{live}/v1/private/partners/{PARTNER_ID}/check/{DEMO_BU}",
                             headers=bearer(other["access_token"]))
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "Incorrect authentication for Business Unit"
    partner = partner_token(live)["access_token"]
    unknown = requests.post(f"{live}/v1/private/partners/00000000-0000-4000-8000-000000000000/key/{DEMO_BU}",
                            headers=bearer(partner))
    assert unknown.status_code == 404 and unknown.json()["message"] == "Incorrect PartnerID"


def test_onboarding_two_factor_partner_user_cannot_get_a_token(live):
    from mock_server import scenario

    data = scenario.load_file(scenario.DEFAULT_SCENARIO)
    data["partners"][0]["users"][0]["twoFactor"] = True
    assert requests.post(live + "/_mock/scenario", json=data).status_code == 200
    response = requests.post(live + TOKEN_PATH, auth=PARTNER, data={"grant_type": "password",
                                                                    "username": PARTNER_USER[0],
                                                                    "password": PARTNER_USER[1]})
    assert response.status_code == 401
    assert response.json()["ErrorCode"] == "invalid_grant"
    assert "2-step verification enabled" in response.json()["Error"]


def test_onboarding_two_factor_customer_is_refused_at_login(live):
    partner = partner_token(live)["access_token"]
    key = requests.post(f"{live}/v1/private/partners/{PARTNER_ID}/key/{TWOFACTOR_BU}", headers=bearer(partner)).json()
    refused = consent(live, key["apiKey"], user=("admin@twofactor.example", "customer-password"))
    assert refused.status_code == 403 and "2-step verification enabled" in refused.text


def test_onboarding_wrong_redirect_uri_is_refused(live):
    partner = partner_token(live)["access_token"]
    key = requests.post(f"{live}/v1/private/partners/{PARTNER_ID}/key/{DEMO_BU}", headers=bearer(partner)).json()
    refused = consent(live, key["apiKey"], redirect="http://127.0.0.1:5001/callback")
    assert refused.status_code == 400 and "is not on the allow-list" in refused.text


def test_onboarding_reused_code_expiry_and_refresh(live):
    partner = partner_token(live)["access_token"]
    key = requests.post(f"{live}/v1/private/partners/{PARTNER_ID}/key/{DEMO_BU}", headers=bearer(partner)).json()
    code = parse_qs(urlsplit(consent(live, key["apiKey"]).headers["Location"]).query)["code"][0]
    tokens = exchange_code(live, key, code).json()
    reused = exchange_code(live, key, code)
    assert reused.status_code == 400 and "already used" in reused.json()["Error"]
    url = f"{live}/v1/business-units/{DEMO_BU}"
    # the replay revoked what the code issued (RFC 6749 §4.1.2): the customer signs in again
    assert requests.get(url, headers=bearer(tokens["access_token"], partner_header=True)).status_code == 401
    code = parse_qs(urlsplit(consent(live, key["apiKey"]).headers["Location"]).query)["code"][0]
    tokens = exchange_code(live, key, code).json()
    assert requests.get(url, headers=bearer(tokens["access_token"], partner_header=True)).status_code == 200
    assert requests.post(live + "/_mock/clock/advance", json={"hours": 101}).status_code == 200
    expired = requests.get(url, headers=bearer(tokens["access_token"], partner_header=True))
    assert expired.status_code == 401
    assert expired.json()["fault"]["detail"]["errorcode"] == "keymanagement.service.access_token_expired"
    refreshed = requests.post(live + REFRESH_PATH, auth=(key["apiKey"], key["apiSecret"]),
                              data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    assert requests.get(url, headers=bearer(refreshed.json()["access_token"], partner_header=True)).status_code == 200


def test_official_python_client_password_grant(live):
    session = trustpilot.client.TrustpilotSession(api_host=live, api_key=PARTNER[0], api_secret=PARTNER[1],
                                                  username=PARTNER_USER[0], password=PARTNER_USER[1])
    found = session.get("/business-units/find?name=trustpilotdemo.com")
    assert found.status_code == 200 and found.json()["id"] == DEMO_BU
    check = session.get(f"/private/partners/{PARTNER_ID}/check/{DEMO_BU}")
    assert check.status_code == 201
    statuses = [e["status"] for e in requests.get(live + "/_mock/journal").json()["entries"]]
    assert statuses == [401, 200, 200, 201]  # it authenticates only after its first request gets a 401


def test_onboarding_script_runs_steps_2_to_6_against_a_live_sandbox(live):
    """examples/onboarding.sh, which the README points newcomers to, runs as written (curl and jq)."""
    result = subprocess.run(["sh", str(ROOT / "examples" / "onboarding.sh"), live], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "trustpilotdemo.com -> 507f191e810c19729de860ea" in result.stdout
    assert "redirected to http://127.0.0.1:5000/callback?code=" in result.stdout
    assert result.stdout.rstrip().endswith("onboarded: trustpilotdemo.com is connected")
