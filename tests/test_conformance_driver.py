"""The kit's driver: placeholders filled safely for a shell, a URL and JSON; HTTP triggers judged by status."""

import json
import time
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conformance import manifest as manifests
from conformance.driver import Integration

from kit_helpers import reference_manifest


class Recorder(BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Recorder.seen.append((self.path, json.loads(body)))
        status = 503 if "fail" in self.path else 202
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"queued" if status == 202 else b"busy")

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recorder.seen.clear()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _integration(tmp_path, triggers):
    def change(data):
        data["triggers"].update(triggers)
    return Integration(manifests.load(reference_manifest(tmp_path, change)), str(tmp_path))  # service not started


def test_trigger_run_shell_quotes_placeholder_values(tmp_path):
    integration = _integration(tmp_path, {"reply": {"run": "printf '%s|' {message} {review_id}"}})
    integration.env = {"PATH": "/usr/bin:/bin"}
    outcome = integration.trigger("reply", message="it's $HOME; rm -rf / `x`", review_id="r 1")
    assert outcome.ok and outcome.outcome == "exit 0"
    assert outcome.output == "it's $HOME; rm -rf / `x`|r 1|"


def test_trigger_url_quotes_path_values_and_escapes_json(tmp_path, recorder):
    integration = _integration(tmp_path, {"invite": {
        "url": recorder + "/invite/{business_unit_id}", "method": "POST",
        "json": {"to": "{email}", "who": "{name}", "ref": "{reference_id}"}}})
    outcome = integration.trigger("invite", business_unit_id="a/b c", email="x@example.com",
                                  name='Ada "Countess" Lovelace', reference_id="ORDER-1")
    assert (outcome.ok, outcome.outcome, outcome.output) == (True, "HTTP 202", "queued")
    assert Recorder.seen == [("/invite/a%2Fb%20c", {"to": "x@example.com", "who": 'Ada "Countess" Lovelace',
                                                    "ref": "ORDER-1"})]


def test_trigger_url_non_2xx_is_not_ok(tmp_path, recorder):
    integration = _integration(tmp_path, {"showcase": {"url": recorder + "/fail", "method": "POST", "json": {}}})
    outcome = integration.trigger("showcase")
    assert (outcome.ok, outcome.outcome, outcome.output) == (False, "HTTP 503", "busy")


def test_trigger_url_unreachable_says_so(tmp_path):
    integration = _integration(tmp_path, {"showcase": {"url": "http://127.0.0.1:9/x"}})
    outcome = integration.trigger("showcase")
    assert not outcome.ok and outcome.outcome.startswith("no answer: ")


class Trickle(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(100):
            self.wfile.write(b".")
            self.wfile.flush()
            time.sleep(0.1)

    def log_message(self, *args):
        pass


def test_trigger_url_that_trickles_is_cut_at_its_timeout(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        integration = _integration(tmp_path, {"showcase": {
            "url": f"http://127.0.0.1:{server.server_port}/slow", "timeoutSeconds": 1}})
        outcome = integration.trigger("showcase")
    finally:
        server.shutdown()
    assert not outcome.ok
    assert outcome.outcome.endswith("/slow did not answer in full within 1 s")


def test_trigger_run_leaves_nothing_running(tmp_path):
    marker = tmp_path / "still-running"
    integration = _integration(tmp_path, {"showcase": {"run": f"(sleep 1; touch {marker}) & echo started"}})
    integration.env = {"PATH": "/usr/bin:/bin"}
    assert integration.trigger("showcase").output == "started\n"
    time.sleep(1.5)
    assert not marker.exists()  # the background job died with the trigger's process group


class FakeSandbox:
    api_url = invitations_url = "http://127.0.0.1:1/_sandbox/x"
    authenticate_url = api_url + "/authenticate"


PARTNER = {"id": "p", "apiKey": "k", "apiSecret": "s", "users": [{"email": "u@x.test", "password": "pw"}]}


def test_environment_holds_only_what_the_manifest_names(tmp_path, monkeypatch):
    monkeypatch.setenv("CI_JOB_TOKEN", "glpat-not-for-partners")
    monkeypatch.setenv("JAVA_HOME", "/opt/java-secret-build")
    integration = _integration(tmp_path, {})
    integration.point_at(FakeSandbox(), PARTNER)
    assert "CI_JOB_TOKEN" not in integration.env and "JAVA_HOME" not in integration.env
    assert integration.env["TRUSTPILOT_API_SECRET"] == "s" and "PATH" in integration.env

    def passing(data):
        data["passEnvironment"] = ["JAVA_HOME"]
    passed = Integration(manifests.load(reference_manifest(tmp_path, passing)), str(tmp_path))
    passed.point_at(FakeSandbox(), PARTNER)
    assert passed.env["JAVA_HOME"] == "/opt/java-secret-build"
    assert "/opt/java-secret-build" in passed.private_values()  # shown as *** in reports


def test_environment_values_fill_service_placeholders_and_only_secrets_are_masked(tmp_path):
    def fixed(data):
        data["environment"]["settings"] = {"PARTNER_HEADER_NAME": "x-partner-id",
                                           "DATA_FILE": "{data_dir}/customers.json",
                                           "CALLBACK": "{redirect_uri}"}
        data["environment"]["secrets"] = {"SIGNING_KEY": "partner-signing-key-42"}
        data["triggers"]["showcase"] = {"run": "echo {redirect_uri} {service_url}"}
    integration = Integration(manifests.load(reference_manifest(tmp_path, fixed)), str(tmp_path))
    integration.point_at(FakeSandbox(), PARTNER)
    port = integration.port
    assert integration.env["DATA_FILE"] == f"{integration.data_dir}/customers.json"
    assert integration.env["CALLBACK"] == f"http://127.0.0.1:{port}/trustpilot/callback"
    assert integration.trigger("showcase").output == (f"http://127.0.0.1:{port}/trustpilot/callback "
                                                      f"http://127.0.0.1:{port}\n")
    private = integration.private_values()
    assert "partner-signing-key-42" in private  # a secret: '***' in reports
    assert "x-partner-id" not in private and integration.env["PARTNER_HEADER_NAME"] == "x-partner-id"
