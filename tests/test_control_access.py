"""The control-plane token: /_mock (and /_sandbox/<name>/_mock) need it when the server has one;
emulated routes never do; `serve` on a non-loopback address generates one when none is given."""

import pytest
import requests

from conftest import DEMO_BU, start_server, stop_server
from mock_server import create_app
from mock_server.control_access import control_token_for

TOKEN = "control-secret"
HEADER = "X-Sandbox-Control-Token"
FIND = "/v1/business-units/find?name=trustpilotdemo.com"


@pytest.fixture
def guarded():
    return create_app({"CONTROL_TOKEN": TOKEN}).test_client()


def assert_refused(response, code, message):
    assert response.status_code == 401
    body = response.get_json()
    assert body["errorCode"] == code
    assert body["message"] == message
    assert f"{HEADER}: <token>" in body["details"] and "/_mock/dashboard?token=<token>" in body["details"]


def test_control_plane_without_server_token_is_open(client):
    assert client.get("/_mock/state").status_code == 200


def test_control_plane_missing_token_is_refused(guarded):
    response = guarded.get("/_mock/state")
    assert_refused(response, 1301, "Control-plane token required")
    assert response.get_json()["details"].startswith("GET /_mock/state is on the control plane")


def test_control_plane_wrong_token_is_refused(guarded):
    assert_refused(guarded.post("/_mock/reset", headers={HEADER: "not-it"}), 1302, "Control-plane token not accepted")


def test_control_plane_bearer_is_not_the_control_token(guarded):
    response = guarded.get("/_mock/state", headers={"Authorization": f"Bearer {TOKEN}"})
    assert_refused(response, 1301, "Control-plane token required")


def test_control_plane_right_token_is_served(guarded):
    response = guarded.get("/_mock/state", headers={HEADER: TOKEN})
    assert response.status_code == 200
    assert response.get_json()["sandbox"] == "default"


def test_control_plane_unknown_route_without_token_is_refused(guarded):
    assert_refused(guarded.get("/_mock/no-such-thing"), 1301, "Control-plane token required")


def test_named_sandbox_control_plane_needs_token(guarded):
    assert guarded.post("/_mock/sandboxes", json={"name": "job-1"}, headers={HEADER: TOKEN}).status_code == 201
    assert_refused(guarded.get("/_sandbox/job-1/_mock/journal"), 1301, "Control-plane token required")
    assert guarded.get("/_sandbox/job-1/_mock/journal", headers={HEADER: TOKEN}).status_code == 200


def test_emulated_routes_never_need_the_token(guarded):
    assert guarded.get(FIND, headers={"apikey": "demo-partner-key"}).status_code == 200
    assert guarded.get("/").status_code == 200


def test_control_token_is_never_journaled(guarded):
    guarded.get(FIND + f"&token={TOKEN}", headers={"apikey": "demo-partner-key", HEADER: TOKEN})
    journal = guarded.get("/_mock/journal", headers={HEADER: TOKEN})
    assert journal.get_json()["entries"][0]["path"] == "/v1/business-units/find"
    assert TOKEN not in journal.get_data(as_text=True)


def test_show_dashboard_token_in_address_sets_cookie_and_redirects(guarded):
    response = guarded.get("/_mock/dashboard?token=" + TOKEN)
    assert response.status_code == 303
    assert response.headers["Location"] == "/_mock/dashboard"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"sandbox_control_token={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    # the test client keeps the cookie, as a browser would: the page and its calls now pass
    assert guarded.get("/_mock/dashboard").status_code == 200
    assert guarded.get("/_mock/journal").status_code == 200


def test_show_dashboard_token_in_named_sandbox_address_redirects_to_its_page(guarded):
    guarded.post("/_mock/sandboxes", json={"name": "job-2"}, headers={HEADER: TOKEN})
    response = guarded.get("/_sandbox/job-2/_mock/dashboard?token=" + TOKEN)
    assert response.status_code == 303
    assert response.headers["Location"] == "/_sandbox/job-2/_mock/dashboard"


def test_show_dashboard_wrong_token_in_address_is_refused(guarded):
    response = guarded.get("/_mock/dashboard?token=guess")
    assert_refused(response, 1302, "Control-plane token not accepted")
    assert "Set-Cookie" not in response.headers


def test_show_dashboard_without_token_is_refused(guarded):
    assert_refused(guarded.get("/_mock/dashboard"), 1301, "Control-plane token required")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_control_token_for_loopback_host_is_none(host):
    assert control_token_for(host) == (None, False)


@pytest.mark.parametrize("host", ["0.0.0.0", "", "::", "192.168.1.10", "sandbox.internal"])
def test_control_token_for_other_host_is_generated(host):
    token, generated = control_token_for(host)
    assert generated and len(token) >= 32


def test_control_token_for_given_token_is_kept():
    assert control_token_for("0.0.0.0", "mine") == ("mine", False)
    assert control_token_for("127.0.0.1", "mine") == ("mine", False)


# -- over real HTTP (serve) ---------------------------------------------------------------
def test_serve_with_control_token_guards_control_plane_only():
    proc, base = start_server("--host", "0.0.0.0", "--control-token", "x")
    try:
        refused = requests.get(base + "/_mock/clock", timeout=10)
        assert refused.status_code == 401 and refused.json()["errorCode"] == 1301
        assert requests.get(base + "/_mock/clock", headers={HEADER: "y"}, timeout=10).json()["errorCode"] == 1302
        assert requests.get(base + "/_mock/clock", headers={HEADER: "x"}, timeout=10).status_code == 200
        found = requests.get(base + FIND, headers={"apikey": "demo-partner-key"}, timeout=10)
        assert found.status_code == 200 and found.json()["id"] == DEMO_BU
        session = requests.Session()  # a browser: the token once in the address, then the cookie
        page = session.get(base + "/_mock/dashboard?token=x", timeout=10)
        assert page.status_code == 200 and page.url == base + "/_mock/dashboard"
        assert session.get(base + "/_mock/state", timeout=10).status_code == 200
    finally:
        stop_server(proc)


def test_serve_on_all_addresses_without_token_generates_and_prints_it_once():
    proc, base = start_server("--host", "0.0.0.0")
    try:
        line = proc.stdout.readline()  # printed once a worker answers: there now, or in a moment
        assert line.startswith("Control-plane token ")
        token = line.rsplit(" ", 1)[1].strip()
        assert requests.get(base + "/_mock/clock", timeout=10).status_code == 401
        assert requests.get(base + "/_mock/clock", headers={HEADER: token}, timeout=10).status_code == 200
    finally:
        stop_server(proc)
    assert token not in proc.stdout.read()  # once: nothing else the server wrote repeats it
