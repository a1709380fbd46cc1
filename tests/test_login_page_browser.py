"""The login page in a real browser (Debian's Chromium driven by Playwright) against `serve`.

Playwright's own browser download cannot run here, so the tests launch /usr/bin/chromium;
`.ci/run` installs it, and the tests skip (saying why) only where it is absent.
"""

import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from conftest import DEMO_BU, PARTNER_ID, TOKEN_PATH, needs_chromium

PARTNER = ("demo-partner-key", "demo-partner-secret")
PARTNER_USER = {"username": "partner@demo-partner.test", "password": "partner-password"}
CUSTOMER_USER = ("admin@trustpilotdemo.com", "customer-password")
REDIRECT = "http://127.0.0.1:5000/callback"  # on the partner's allow-list; nothing listens there

pytestmark = [needs_chromium, pytest.mark.xdist_group("chromium")]  # one Chromium for all browser tests


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def customer_key(live):
    """A partner customer key for the demo business unit, made the documented way over HTTP."""
    token = requests.post(live + TOKEN_PATH, auth=PARTNER, data={"grant_type": "password", **PARTNER_USER},
                          timeout=10)
    assert token.status_code == 200, token.text
    created = requests.post(f"{live}/v1/private/partners/{PARTNER_ID}/key/{DEMO_BU}",
                            headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=10)
    assert created.status_code == 201, created.text
    body = created.json()
    return body["apiKey"], body["apiSecret"]


def login_url(base, client_id, state, redirect_uri=REDIRECT):
    query = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code", "state": state}
    return f"{base}/authenticate?{urlencode(query)}"


def capture_redirects(page, base):
    """Intercept the login form's POST and keep the redirects the server answers with.

    Playwright never routes the target of a redirect (microsoft/playwright#3993, "as designed"),
    so the interception sits on the request that gets the 302: the browser's own request goes to
    the server unchanged (``route.fetch``), the real response goes back to the browser, which then
    follows it to the callback (where nothing listens).
    """
    redirects = []

    def forward(route):
        response = route.fetch(max_redirects=0)
        if response.status in (301, 302, 303, 307, 308):
            redirects.append((response.status, response.headers["location"]))
        route.fulfill(response=response)

    page.route(lambda url: url.startswith(f"{base}/authenticate"),
               lambda route: forward(route) if route.request.method == "POST" else route.continue_())
    return redirects


def test_show_login_page_code_grant_in_browser_returns_code_and_state(live, page, customer_key, tmp_path):
    key, secret = customer_key
    state = secrets.token_urlsafe(16)
    redirects = capture_redirects(page, live)

    response = page.goto(login_url(live, key, state))
    assert response.status == 200
    assert page.title() == "Log in to Trustpilot (sandbox)"
    shot = tmp_path / "login-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.fill("input[name=username]", CUSTOMER_USER[0])
    page.fill("input[name=password]", CUSTOMER_USER[1])
    with page.expect_request(lambda request: request.url.startswith(REDIRECT)) as followed:
        page.click("button[type=submit]")

    assert len(redirects) == 1 and redirects[0][0] == 302
    location = redirects[0][1]
    assert followed.value.url == location  # the browser itself went to the partner's callback
    assert followed.value.redirected_from.method == "POST"
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(REDIRECT + "?")
    assert query["state"] == [state]
    assert len(query["code"]) == 1 and len(query["code"][0]) == 32

    token = requests.post(live + TOKEN_PATH, auth=(key, secret), timeout=10,
                          data={"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT})
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["access_token"].startswith("tpa-") and body["refresh_token"].startswith("tpr-")
    assert body["app_enduser"] == "6a1b2c3d4e5f60718293a401" and body["client_id"] == key


def test_submit_login_wrong_password_in_browser_shows_form_with_error(live, page, customer_key):
    key, _ = customer_key
    redirects = capture_redirects(page, live)
    page.goto(login_url(live, key, "s1"))

    page.fill("input[name=username]", CUSTOMER_USER[0])
    page.fill("input[name=password]", "not-the-password")
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")

    assert navigation.value.status == 401
    assert urlsplit(page.url).path == "/authenticate"
    error = page.locator("#error")
    assert error.is_visible()
    assert error.text_content() == "the email or password is not right"
    assert page.locator("input[name=password]").is_visible()  # the form is shown again
    assert page.locator("input[name=state]").get_attribute("value") == "s1"
    assert redirects == []


def test_show_login_page_redirect_uri_not_allowed_in_browser_shows_error_page(live, page, customer_key):
    key, _ = customer_key
    evil = "https://evil.example/callback"
    requests_made = []
    page.on("request", lambda request: requests_made.append(request.url))

    response = page.goto(login_url(live, key, "s2", redirect_uri=evil))

    assert response.status == 400
    assert urlsplit(page.url).netloc == urlsplit(live).netloc  # no redirect happened
    assert page.locator("h1").text_content() == "Cannot start sign-in"
    error = page.locator("#error")
    assert error.is_visible()
    assert error.text_content() == (
        f"redirect_uri '{evil}' is not on the allow-list of 'Demo Partner for {DEMO_BU}' "
        f"({REDIRECT}, http://localhost:5000/callback)")
    assert "invalid_request" in page.locator("code").text_content()
    assert page.locator("input[name=password]").count() == 0
    assert not [url for url in requests_made if url.startswith("https://evil.example")]
