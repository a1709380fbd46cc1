"""Proxy mode: a stock client with https://api.trustpilot.com hard-coded reaches the sandbox through
`serve --proxy-port`'s proxy, trusting its local CA; every other host is refused, never reached.

The proxy runs in this process in front of the kit's in-process emulator (a named sandbox per
test, which the proxy addresses by header), except for the CLI test, which starts `serve`.
"""

import queue
import re
import socket
import subprocess
import sys
import threading
import uuid

import pytest
import requests

from conformance import manifest as manifests
from conformance.browsers import login_form
from conformance.checks import CATALOG
from conformance.driver import Integration
from conformance.runner import run_in_world
from conftest import ROOT
from helpers import DEMO_BU, PARTNER, PARTNER_ID, PARTNER_USER, REDIRECT, TOKEN_PATH, basic
from mock_server.proxy import HOSTS, TrustpilotProxy
from mock_server.proxy_ca import CaProblem, LocalCA
from mock_server.testing.client import Sandbox

API = "https://api.trustpilot.com"
REFUSAL = ("is not a Trustpilot host; this proxy serves only api.trustpilot.com, invitations-api.trustpilot.com, "
           "authenticate.trustpilot.com (from the local sandbox) and never connects to the internet")


@pytest.fixture
def sandbox(kit_emulator):
    with Sandbox.connect(kit_emulator.url, name=f"proxy-{uuid.uuid4().hex[:8]}",
                         session=kit_emulator.session()) as named:
        yield named


@pytest.fixture
def proxy(kit_emulator, sandbox, tmp_path):
    with TrustpilotProxy(kit_emulator.url, LocalCA(tmp_path / "ca"), sandbox=sandbox.name) as running:
        yield running


def through(proxy, method, url, **kwargs):
    """A stock requests call with the proxy and the printed CA, nothing else changed."""
    return requests.request(method, url, proxies={"https": proxy.url, "http": proxy.url},
                            verify=str(proxy.ca.cert_path), timeout=30, **kwargs)


def raw(proxy, data):
    """What the proxy answers to ``data`` sent on a plain connection (up to its closing it)."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return head.decode().split("\r\n")[0], body.decode()


# -- the three Trustpilot hosts -------------------------------------------------------------------
def test_hard_coded_api_host_reaches_the_worlds_data(proxy, sandbox):
    found = through(proxy, "GET", f"{API}/v1/business-units/find", params={"name": "trustpilotdemo.com"},
                    headers={"apikey": PARTNER[0]})
    assert found.status_code == 200, found.text
    assert found.json()["id"] == DEMO_BU
    assert found.json()["displayName"] == "Trustpilot Demo"
    # The sandbox saw the host asked for over https: its links lead back through the proxy.
    page = through(proxy, "GET", f"{API}/v1/business-units/{DEMO_BU}/reviews", params={"perPage": 1},
                   headers={"apikey": PARTNER[0]})
    assert page.status_code == 200, page.text
    following = next(link["href"] for link in page.json()["links"] if link["rel"] == "next-page")
    assert following.startswith(f"{API}/v1/business-units/{DEMO_BU}/reviews?")
    second = through(proxy, "GET", following, headers={"apikey": PARTNER[0]})
    assert second.status_code == 200
    assert second.json()["reviews"][0]["id"] != page.json()["reviews"][0]["id"]
    # It was this test's sandbox that answered (the proxy names it), not the server's default one.
    assert [e["path"] for e in sandbox.journal()][:2] == ["/v1/business-units/find",
                                                          f"/v1/business-units/{DEMO_BU}/reviews"]


def test_the_partner_flow_uses_all_three_hosts_through_the_proxy(proxy, sandbox):
    """Partner token and customer key (api), the customer's sign-in (authenticate), the code
    exchanged (api), an invitation sent (invitations-api): each host as the real API has it."""
    partner_token = through(proxy, "POST", f"{API}{TOKEN_PATH}", headers=basic(*PARTNER),
                            data={"grant_type": "password", "username": PARTNER_USER[0], "password": PARTNER_USER[1]})
    assert partner_token.status_code == 200, partner_token.text
    key = through(proxy, "POST", f"{API}/v1/private/partners/{PARTNER_ID}/key/{DEMO_BU}",
                  headers={"Authorization": f"Bearer {partner_token.json()['access_token']}"})
    assert key.status_code == 201, key.text
    customer_key, customer_secret = key.json()["apiKey"], key.json()["apiSecret"]

    page = through(proxy, "GET", "https://authenticate.trustpilot.com/",
                   params={"client_id": customer_key, "redirect_uri": REDIRECT, "response_type": "code", "state": "s1"})
    assert page.status_code == 200, page.text
    action, fields = login_form(page.text, page.url)
    assert action.startswith("https://authenticate.trustpilot.com/")  # the form posts back through the proxy
    fields.update(username="admin@trustpilotdemo.com", password="customer-password")
    signed_in = through(proxy, "POST", action, data=fields, allow_redirects=False)
    assert signed_in.status_code == 302, signed_in.text
    assert signed_in.headers["Location"].startswith(REDIRECT + "?")
    code = re.search(r"[?&]code=([^&]+)", signed_in.headers["Location"]).group(1)
    token = through(proxy, "POST", f"{API}{TOKEN_PATH}", headers=basic(customer_key, customer_secret),
                    data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert token.status_code == 200, token.text

    invitation = through(proxy, "POST", f"https://invitations-api.trustpilot.com/v1/private/business-units/{DEMO_BU}"
                                        "/email-invitations",
                         headers={"Authorization": f"Bearer {token.json()['access_token']}", "x-partner-id": PARTNER_ID},
                         json={"consumerEmail": "ada@example.com", "consumerName": "Ada", "referenceNumber": "o-1",
                               "serviceReviewInvitation": {}})
    assert invitation.status_code == 202, invitation.text
    stored = sandbox.control("GET", "/invitations", params={"businessUnitId": DEMO_BU})["invitations"]
    assert [i["consumerEmail"] for i in stored] == ["ada@example.com"]


def test_plain_http_proxy_request_for_a_trustpilot_host_is_served(proxy):
    found = through(proxy, "GET", "http://api.trustpilot.com/v1/business-units/find",
                    params={"name": "trustpilotdemo.com"}, headers={"apikey": PARTNER[0]})
    assert found.status_code == 200
    assert found.json()["id"] == DEMO_BU


def test_a_chunked_body_reaches_the_sandbox_whole(proxy):
    def form():  # a generator: requests sends it with Transfer-Encoding: chunked
        yield b"grant_type=password&username=" + PARTNER_USER[0].replace("@", "%40").encode()
        yield b"&password=" + PARTNER_USER[1].encode()

    token = through(proxy, "POST", f"{API}{TOKEN_PATH}", data=form(),
                    headers={**basic(*PARTNER), "Content-Type": "application/x-www-form-urlencoded"})
    assert token.status_code == 200, token.text
    assert token.json()["access_token"].startswith("tpa-")


def test_a_sandbox_that_does_not_answer_is_a_502_saying_so(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with TrustpilotProxy(gone, LocalCA(tmp_path)) as proxy:
        answer = through(proxy, "GET", f"{API}/v1/business-units/find?name=x")
    assert answer.status_code == 502
    assert answer.text.startswith(f"502 Bad Gateway: the sandbox at {gone} did not answer (")
    assert answer.text.endswith("is trustpilot-mock serve still running?\n")


def test_the_sandbox_header_addresses_a_named_sandbox_and_links_keep_no_prefix(kit_emulator, sandbox):
    named = requests.get(f"{kit_emulator.url}/v1/business-units/{DEMO_BU}/reviews", params={"perPage": 1},
                         headers={"apikey": PARTNER[0], "X-Sandbox-Name": sandbox.name}, timeout=30)
    assert named.status_code == 200
    assert named.json()["links"][0]["href"].startswith(f"{kit_emulator.url}/v1/business-units/")
    assert sandbox.journal()[-1]["path"] == f"/v1/business-units/{DEMO_BU}/reviews"
    unknown = requests.get(f"{kit_emulator.url}/v1/business-units/{DEMO_BU}", headers={"apikey": PARTNER[0],
                           "X-Sandbox-Name": "no-such-sandbox"}, timeout=30)
    assert unknown.status_code == 404
    assert "no-such-sandbox" in unknown.text


# -- everything else is refused ----------------------------------------------------------------------
def test_connect_to_any_other_host_is_refused_and_nothing_connects_out(proxy, monkeypatch):
    looked_up, connected = [], []
    real_lookup, real_connect = socket.getaddrinfo, socket.socket.connect
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: looked_up.append(host) or real_lookup(host, *a, **k))
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: connected.append(address) or
                        real_connect(sock, address))
    status, body = raw(proxy, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
    assert status == "HTTP/1.1 403 Forbidden"
    assert body == f"403 Forbidden: example.com:443 {REFUSAL}\n"
    with pytest.raises(requests.exceptions.ProxyError, match="403"):
        through(proxy, "GET", "https://example.com/")
    status, body = raw(proxy, b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert (status, body) == ("HTTP/1.1 403 Forbidden", f"403 Forbidden: example.com:80 {REFUSAL}\n")
    assert "example.com" not in looked_up
    assert {address for address in connected} == {("127.0.0.1", proxy.port)}  # only the tests' own connections


def test_a_trustpilot_host_on_another_port_is_refused(proxy):
    status, body = raw(proxy, b"CONNECT api.trustpilot.com:8443 HTTP/1.1\r\n\r\n")
    assert status == "HTTP/1.1 403 Forbidden"
    assert body == "403 Forbidden: api.trustpilot.com is served on port 443 only, not 8443\n"


@pytest.mark.parametrize("request_line, says", [
    (b"GARBAGE\r\n\r\n", "400 Bad request syntax ('GARBAGE')"),
    (b"CONNECT api.trustpilot.com HTTP/1.1\r\n\r\n",
     "400 Bad Request: CONNECT needs host:port, e.g. CONNECT api.trustpilot.com:443, not 'api.trustpilot.com'"),
    (b"CONNECT api.trustpilot.com:https HTTP/1.1\r\n\r\n", "400 Bad Request: CONNECT needs host:port"),
    (b"GET /v1/business-units/find HTTP/1.1\r\nHost: x\r\n\r\n",
     "400 Bad Request: this is the Trustpilot sandbox's proxy: send CONNECT api.trustpilot.com:443"),
])
def test_a_malformed_request_gets_400_saying_what_is_wrong(proxy, request_line, says):
    status, body = raw(proxy, request_line)
    assert status.startswith("HTTP/1.") and " 400 " in status
    assert body.startswith(says)


def test_clients_that_stall_or_drop_mid_handshake_do_not_stop_the_proxy(proxy, caplog):
    silent = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)  # holds its thread, says nothing
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as dropped:
        dropped.sendall(b"CONNECT api.trustpilot.com:443 HTTP/1.1\r\n\r\n")
        assert dropped.recv(100).startswith(b"HTTP/1.1 200 Connection Established")
        dropped.sendall(b"\x16\x03\x01\x02\x00\x01")  # the start of a ClientHello, then gone
    with pytest.raises(requests.exceptions.SSLError):  # a client that does not trust the CA
        requests.get(f"{API}/v1/resources/metadata/locales", proxies={"https": proxy.url}, verify=True, timeout=30)
    try:
        answer = through(proxy, "GET", f"{API}/v1/business-units/find", params={"name": "trustpilotdemo.com"},
                         headers={"apikey": PARTNER[0]})
        assert answer.status_code == 200
    finally:
        silent.close()
    hints = [r.getMessage() for r in caplog.records if "does not trust the proxy's CA" in r.getMessage()]
    assert hints and str(proxy.ca.cert_path) in hints[0]


# -- the CA -----------------------------------------------------------------------------------------------
def test_the_ca_is_made_once_and_reused(kit_emulator, tmp_path):
    first = LocalCA(tmp_path / "ca")
    printed = first.cert_path.read_bytes()
    second = LocalCA(tmp_path / "ca")
    assert (first.created, second.created) == (True, False)
    assert second.cert_path.read_bytes() == printed
    assert oct((tmp_path / "ca" / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
    with TrustpilotProxy(kit_emulator.url, second) as proxy:  # trusted by what the first start printed
        answer = requests.get(f"{API}/v1/business-units/find", params={"name": "trustpilotdemo.com"},
                              headers={"apikey": PARTNER[0]}, proxies={"https": proxy.url},
                              verify=str(first.cert_path), timeout=30)
    assert answer.status_code == 200


def test_an_unreadable_ca_is_a_clear_error(tmp_path):
    (tmp_path / "ca.pem").write_text("not a certificate")
    (tmp_path / "ca-key.pem").write_text("not a key")
    with pytest.raises(CaProblem, match=rf"the proxy's CA in {re.escape(str(tmp_path))} cannot be read .*remove the "
                                        "folder to make a new CA"):
        LocalCA(tmp_path)


# -- serve --proxy-port ----------------------------------------------------------------------------------
def test_serve_with_a_proxy_port_prints_the_proxy_and_the_ca_and_serves_through_it(tmp_path):
    command = [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--proxy-port", "0", "--quiet",
               "--workers", "1", "--proxy-ca-dir", str(tmp_path / "ca")]
    server = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    try:
        printed = []
        while not any(line.startswith("Proxy CA certificate") for line in printed):
            printed.append(lines.get(timeout=60))
        text = "".join(printed)
        sandbox = re.search(r"Serving on (http://127\.0\.0\.1:\d+)", text).group(1)
        proxy_url = re.search(r"Proxy mode on (http://127\.0\.0\.1:\d+) \(set HTTPS_PROXY to it\)", text).group(1)
        ca = re.search(r"Proxy CA certificate \(made now\): (\S+) \(set REQUESTS_CA_BUNDLE, SSL_CERT_FILE, "
                       r"NODE_EXTRA_CA_CERTS, CURL_CA_BUNDLE to it\)", text).group(1)
        assert ca == str(tmp_path / "ca" / "ca.pem")
        assert f"answered by the sandbox at {sandbox}; any other host is refused" in text
        _wait_for(sandbox)
        page = requests.get(f"{API}/v1/business-units/{DEMO_BU}/reviews", headers={"apikey": PARTNER[0]},
                            proxies={"https": proxy_url}, verify=ca, timeout=30)
        assert page.status_code == 200, page.text
        assert page.json()["links"][0]["href"].startswith(f"{API}/v1/")  # serve honours X-Forwarded-Proto from loopback
    finally:
        server.terminate()
        code = server.wait(timeout=30)
    assert code == 0


def test_serve_refuses_a_taken_proxy_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--proxy-port",
                               str(port), "--proxy-ca-dir", str(tmp_path / "ca")],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in done.stderr
    assert "choose another port with --proxy-port" in done.stderr
    assert "Proxy mode on" not in done.stdout


def _wait_for(url):
    for _ in range(600):
        try:
            if requests.get(f"{url}/_mock/clock", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        threading.Event().wait(0.1)
    raise AssertionError(f"{url} did not answer")


# -- the kit's manifest option --------------------------------------------------------------------------
TINY = """manifest: 1
sandboxAccess: proxy
integration:
  name: Hard-coded
  useCases: []
  redirectUri: http://127.0.0.1:9/callback
  support: {}
  testAccount: {}
triggers:
  onboard: {run: "{python} onboard.py {domain}"}
  consent: {run: "echo no consent"}
environment:
  partnerId: TP_PARTNER
  apiKey: TP_KEY
  apiSecret: TP_SECRET
  username: TP_USER
  password: TP_PASSWORD
"""
# Trustpilot's host written in, as plugins do; only the environment's proxy settings send it to the sandbox.
ONBOARD = """import os, sys, requests
answer = requests.get("https://api.trustpilot.com/v1/business-units/find", params={"name": sys.argv[1]},
                      headers={"apikey": os.environ["TP_KEY"]}, timeout=30)
print(answer.status_code, answer.json().get("id"))
sys.exit(0 if answer.status_code == 200 else 1)
"""


def tiny_manifest(tmp_path, text=TINY):
    (tmp_path / "onboard.py").write_text(ONBOARD)
    (tmp_path / "manifest.yaml").write_text(text)
    return manifests.load(tmp_path / "manifest.yaml")


def test_the_manifest_chooses_proxy_mode_and_then_needs_no_base_url_variables(tmp_path):
    assert tiny_manifest(tmp_path).proxy_mode
    with pytest.raises(manifests.ManifestError, match=r'manifest.yaml:\d+: environment: "apiBaseUrl" is a required property'):
        tiny_manifest(tmp_path, TINY.replace("sandboxAccess: proxy\n", ""))
    with pytest.raises(manifests.ManifestError, match=r"manifest.yaml:2: sandboxAccess: 'socks' is not one of: baseUrl, proxy"):
        tiny_manifest(tmp_path, TINY.replace("sandboxAccess: proxy", "sandboxAccess: socks"))


def test_in_proxy_mode_the_integration_gets_the_proxy_and_the_ca_instead_of_base_urls(tmp_path, kit_emulator, sandbox):
    manifest = tiny_manifest(tmp_path, TINY.replace("  partnerId:", "  apiBaseUrl: TP_API\n  partnerId:"))
    partner = {"id": "p", "apiKey": "k", "apiSecret": "s", "users": [{"email": "e", "password": "pw"}]}
    plain = Integration(manifest, str(tmp_path))
    plain.point_at(sandbox, partner)
    assert plain.env["TP_API"] == sandbox.api_url
    assert not {"HTTPS_PROXY", "https_proxy", "REQUESTS_CA_BUNDLE"} & set(plain.env)
    with kit_emulator.proxy_for(sandbox.name) as proxy:
        proxied = Integration(manifest, str(tmp_path))
        proxied.point_at(sandbox, partner, proxy)
    ca = str(proxy.ca.cert_path)
    assert {k: proxied.env[k] for k in ("HTTPS_PROXY", "https_proxy", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE",
                                        "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE", "NO_PROXY", "TP_API", "TP_KEY")} == {
        "HTTPS_PROXY": proxy.url, "https_proxy": proxy.url, "REQUESTS_CA_BUNDLE": ca, "SSL_CERT_FILE": ca,
        "NODE_EXTRA_CA_CERTS": ca, "CURL_CA_BUNDLE": ca, "NO_PROXY": "127.0.0.1,localhost,::1",
        "TP_API": API, "TP_KEY": "k"}


def test_a_kit_check_runs_an_integration_with_the_host_hard_coded_through_the_proxy(tmp_path, kit_emulator):
    manifest = tiny_manifest(tmp_path)
    check = next(c for c in CATALOG if c.id == "onboarding.find-by-domain")
    result = run_in_world(check, manifest, kit_emulator)
    assert result.status == "pass", result.message
    assert any("find called with name=['bright-shop.example']" in note for note in result.evidence.notes)


# An integration with a consent callback, every Trustpilot URL written in; run as onboard, consent
# (prints the login URL) and serve (the callback, which exchanges the code once).
CONSENTING = r"""import json, os, secrets, sys, requests
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit
API, LOGIN = "https://api.trustpilot.com", "https://authenticate.trustpilot.com/"
TOKEN = API + "/v1/oauth/oauth-business-users-for-applications/accesstoken"
E = os.environ
saved = os.path.join(E["TP_DATA"], "state.json")
state = json.load(open(saved)) if os.path.exists(saved) else {}
def save():
    json.dump(state, open(saved, "w"))
command = sys.argv[1]
if command == "onboard":
    token = requests.post(TOKEN, auth=(E["TP_KEY"], E["TP_SECRET"]), timeout=30,
                          data={"grant_type": "password", "username": E["TP_USER"], "password": E["TP_PASSWORD"]}).json()
    bearer = {"Authorization": "Bearer " + token["access_token"]}
    unit = requests.get(API + "/v1/business-units/find", params={"name": sys.argv[2]},
                        headers={"apikey": E["TP_KEY"]}, timeout=30).json()["id"]
    check = requests.get(API + f"/v1/private/partners/{E['TP_PARTNER']}/check/{unit}", headers=bearer, timeout=30)
    if check.status_code != 201:
        sys.exit("not eligible")
    state[unit] = requests.post(API + f"/v1/private/partners/{E['TP_PARTNER']}/key/{unit}", headers=bearer,
                                timeout=30).json()
    save()
elif command == "consent":
    state["state"] = secrets.token_hex(8)
    save()
    print(LOGIN + "?" + urlencode({"client_id": state[sys.argv[2]]["apiKey"], "response_type": "code",
                                   "redirect_uri": sys.argv[3], "state": state["state"]}))
else:
    class Callback(BaseHTTPRequestHandler):
        def do_GET(self):
            global state
            state = json.load(open(saved)) if os.path.exists(saved) else {}
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            if self.path == "/health":
                return self.answer(200, "ok")
            if query.get("state") != state.get("state") or state.get("used") == query.get("code"):
                return self.answer(400, "refused")
            key = next(v for k, v in state.items() if isinstance(v, dict))
            token = requests.post(TOKEN, auth=(key["apiKey"], key["apiSecret"]), timeout=30,
                                  data={"grant_type": "authorization_code", "code": query["code"],
                                        "redirect_uri": sys.argv[3]})
            state["used"] = query["code"]
            save()
            self.answer(200 if token.status_code == 200 else 502, "connected")
        def answer(self, status, text):
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text.encode())
    HTTPServer(("127.0.0.1", int(sys.argv[2])), Callback).serve_forever()
"""
CONSENTING_MANIFEST = """manifest: 1
sandboxAccess: proxy
integration:
  name: Hard-coded with consent
  useCases: []
  redirectUri: "http://127.0.0.1:{port}/callback"
  support: {}
  testAccount: {}
service:
  command: "{python} tiny.py serve {port} {redirect_uri}"
  readyUrl: "http://127.0.0.1:{port}/health"
triggers:
  onboard: {run: "{python} tiny.py onboard {domain}"}
  consent: {run: "{python} tiny.py consent {business_unit_id} {redirect_uri}"}
environment:
  partnerId: TP_PARTNER
  apiKey: TP_KEY
  apiSecret: TP_SECRET
  username: TP_USER
  password: TP_PASSWORD
  dataDirectory: TP_DATA
"""


def test_a_kit_consent_check_signs_in_through_the_proxy(tmp_path, kit_emulator):
    """The customer's browser follows the integration to https://authenticate.trustpilot.com via
    the check's proxy; the callback comes back to the integration, which exchanges the code."""
    (tmp_path / "tiny.py").write_text(CONSENTING)
    (tmp_path / "manifest.yaml").write_text(CONSENTING_MANIFEST)
    check = next(c for c in CATALOG if c.id == "consent.authorization-code")
    result = run_in_world(check, manifests.load(tmp_path / "manifest.yaml"), kit_emulator)
    assert result.status == "pass", result.message
    notes = " ".join(result.evidence.notes)
    assert "the login page was opened with client_id=" in notes
    assert "1 authorization_code exchange(s)" in notes
