"""The drift check (`trustpilot-mock compare`) against sandboxes served over real HTTP on loopback:
one that deviates on purpose (a WSGI app around a sandbox that renames, drops and retypes fields
and answers one status differently), an identical one, and nothing at all. Every server records
what it was sent: the check must send GET only, with the key in the header."""

import copy
import json
import re
import socket
import subprocess
import sys
import threading

import pytest
import requests
import yaml
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from conftest import ROOT
from mock_server import cli, create_app, scenario
from mock_server.drift import calls, shapes
from mock_server.drift.sides import ReadOnlySession, WriteRefused
from mock_server.resources import OPENAPI_DIR

REAL_KEY = "drift-REAL-key-9f2c41d7e8b3"       # distinctive: found nowhere else in the output by chance
AGAINST_KEY = "drift-AGAINST-key-4a7e90c1d25f"
UNIT = r"[0-9a-f]{24}"


# -- the servers ----------------------------------------------------------------------------
class Recording:
    """A sandbox (with ``apikey`` as its partner's key) behind a WSGI layer that records every
    request and applies ``deviations``: (path regex, function of the Response) pairs."""

    def __init__(self, apikey, deviations=()):
        world = copy.deepcopy(scenario.load_file(scenario.DEFAULT_SCENARIO))
        world["partners"][0]["apiKey"] = apikey
        self.app = create_app({"SCENARIO": world})
        self.deviations = deviations
        self.seen = []  # (method, path, query string, apikey header)

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.seen.append((request.method, request.path, request.query_string.decode(), request.headers.get("apikey")))
        response = Response.from_app(self.app, environ, buffered=True)
        for pattern, change in self.deviations:
            if re.fullmatch(pattern, request.path):
                response = change(response)
        return response(environ, start_response)


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the recording keeps what matters; no access log
        pass


@pytest.fixture
def serve():
    """``serve(apikey, deviations)`` -> (base URL, the Recording); every server stopped after the test."""
    servers = []

    def start(apikey, deviations=()):
        recording = Recording(apikey, deviations)
        server = make_server("127.0.0.1", 0, recording, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}", recording

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def edit_json(change):
    def deviate(response):
        body = json.loads(response.get_data())
        change(body)
        response.set_data(json.dumps(body))
        return response
    return deviate


def rename_website_url(body):
    body["websiteURL"] = body.pop("websiteUrl")


def drop_consumer_location(body):
    for review in body["reviews"]:
        del review["consumer"]["displayLocation"]


def count_as_string(body):
    body["numberOfReviews"] = str(body["numberOfReviews"])


def not_found(response):
    return Response(json.dumps({"message": "Not found", "errorCode": 404}), status=404, mimetype="application/json")


PLANTED = [
    (rf"/v1/business-units/{UNIT}", edit_json(rename_website_url)),
    (rf"/v1/business-units/{UNIT}/reviews", edit_json(drop_consumer_location)),
    (rf"/v1/consumers/{UNIT}/profile", edit_json(count_as_string)),
    (rf"/v1/reviews/{UNIT}/likes", not_found),
]
EXPECTED = {
    ("get_business_unit", "missing", "$.websiteURL", ("string",), None),
    ("get_business_unit", "extra", "$.websiteUrl", None, ("string",)),
    ("list_business_unit_reviews", "extra", "$.reviews[].consumer.displayLocation", None, ("string",)),
    ("get_consumer_profile", "type", "$.numberOfReviews", ("string",), ("number",)),
    ("get_review_likes", "status", None, 404, 200),
}


def compare(capsys, *args):
    """Run the command in this process: (exit status, stdout, stderr)."""
    status = cli.main(["compare", *args])
    out, err = capsys.readouterr()
    return status, out, err


def found(report):
    as_tuple = lambda value: tuple(value) if isinstance(value, list) else value  # noqa: E731
    return {(op["operation"], d["kind"], d["path"], as_tuple(d["real"]), as_tuple(d["sandbox"]))
            for op in report["operations"] for d in op["differences"]}


def assert_read_only_with_header(recording, apikey):
    assert recording.seen, "the server was never called"
    assert {method for method, *_ in recording.seen} == {"GET"}
    assert all(header == apikey for *_, header in recording.seen)
    assert not any(apikey in query or "apikey" in query.lower() for _, _, query, _ in recording.seen)


def assert_no_key(*texts):
    for text in texts:
        for key in (REAL_KEY, AGAINST_KEY, "demo-partner-key"):
            assert key not in text


# -- the planted deviations ---------------------------------------------------------------------
def test_compare_finds_exactly_the_planted_deviations_and_exits_1(serve, capsys):
    real, recording = serve(REAL_KEY, PLANTED)
    status, out, err = compare(capsys, "--real", real, "--apikey", REAL_KEY, "--json")
    assert status == 1, err
    report = json.loads(out)
    assert report["drift"] is True
    assert found(report) == EXPECTED
    drifted = {op["operation"] for op in report["operations"] if op["result"] == "drift"}
    assert drifted == {operation for operation, *_ in EXPECTED}
    others = [op for op in report["operations"] if op["operation"] not in drifted]
    assert others and all(op["result"] == "ok" and op["differences"] == [] for op in others)
    assert report["summary"] == {"ok": len(calls.CALLS) - 4, "drift": 4, "skipped": 0}
    assert_read_only_with_header(recording, REAL_KEY)
    assert_no_key(out, err)


def test_compare_text_report_lists_each_deviation_under_its_operation(serve, capsys):
    real, _ = serve(REAL_KEY, PLANTED)
    status, out, err = compare(capsys, "--real", real, "--apikey", REAL_KEY)
    assert status == 1
    assert re.search(r"^DRIFT +get_business_unit +GET /v1/business-units/\{businessUnitId\}\n"
                     r" +missing +\$\.websiteURL \(string\): the real API has it, the sandbox does not\n"
                     r" +extra +\$\.websiteUrl \(string\): the sandbox has it, the real API does not$", out, re.M)
    assert re.search(r"^DRIFT +get_review_likes .*\n +status +real 404, sandbox 200$", out, re.M)
    assert re.search(r"^ +type +\$\.numberOfReviews: real string, sandbox number$", out, re.M)
    assert re.search(r"^ok +get_review +GET /v1/reviews/\{reviewId\}$", out, re.M)
    assert f"{len(calls.CALLS)} operations: {len(calls.CALLS) - 4} ok, 4 with drift, 0 skipped; drift found" in out
    assert_no_key(out, err)


def test_compare_skips_what_a_side_gives_no_id_for_and_says_why(serve, capsys):
    def no_reviews(body):
        body["reviews"] = []

    real, recording = serve(REAL_KEY, [(rf"/v1/business-units/{UNIT}/reviews", edit_json(no_reviews))])
    status, out, err = compare(capsys, "--real", real, "--apikey", REAL_KEY, "--json")
    assert status == 0, out  # an empty page is data: its items' fields are not reported missing
    operations = {op["operation"]: op for op in json.loads(out)["operations"]}
    skipped = {name for name, op in operations.items() if op["result"] == "skipped"}
    assert skipped == {"get_review", "get_review_likes", "get_review_web_links", "get_consumer",
                       "get_consumer_profile", "list_consumer_reviews"}
    assert operations["get_review"]["reason"] == (
        "no reviewId on the real side: list_business_unit_reviews's answer has no reviews[0].id")
    assert operations["get_consumer"]["reason"] == operations["get_review"]["reason"]  # the root cause
    assert not any("/v1/reviews/" in path or "/v1/consumers/" in path for _, path, _, _ in recording.seen
                   if not path.startswith("/v1/reviews/latest"))


def test_compare_follows_no_redirect_so_the_key_goes_nowhere_else(serve, capsys):
    def elsewhere(response):
        return Response(status=302, headers={"Location": "/leaked-key-here"})

    real, recording = serve(REAL_KEY, [(rf"/v1/reviews/{UNIT}/web-links", elsewhere)])
    status, out, _ = compare(capsys, "--real", real, "--apikey", REAL_KEY, "--json")
    assert status == 1
    assert found(json.loads(out)) == {("get_review_web_links", "status", None, 302, 200)}
    assert "/leaked-key-here" not in {path for _, path, _, _ in recording.seen}


# -- no drift -------------------------------------------------------------------------------------
def test_compare_with_an_identical_sandbox_reports_no_drift_and_exits_0(serve, capsys):
    real, recording = serve(REAL_KEY)
    status, out, err = compare(capsys, "--real", real, "--apikey", REAL_KEY, "--json")
    assert status == 0, out
    report = json.loads(out)
    assert report["drift"] is False
    assert [op["operation"] for op in report["operations"]] == [call.operation for call in calls.CALLS]
    assert all(op["result"] == "ok" and op["status"] == {"real": 200, "sandbox": 200}
               for op in report["operations"])
    assert report["sandbox"] == {"url": "in-process, default world", "domain": "trustpilotdemo.com"}
    assert_read_only_with_header(recording, REAL_KEY)
    assert_no_key(out, err)


def test_compare_against_a_running_sandbox_uses_its_key_and_domain(serve, capsys):
    real, real_recording = serve(REAL_KEY, PLANTED)
    against, against_recording = serve(AGAINST_KEY)
    status, out, err = compare(capsys, "--real", real, "--apikey", REAL_KEY, "--domain", "trustpilotdemo.com",
                               "--against", against, "--against-apikey", AGAINST_KEY, "--json")
    assert status == 1, err
    report = json.loads(out)
    assert found(report) == EXPECTED
    assert report["sandbox"] == {"url": against, "domain": "trustpilotdemo.com"}
    assert_read_only_with_header(real_recording, REAL_KEY)
    assert_read_only_with_header(against_recording, AGAINST_KEY)
    assert len(against_recording.seen) == len(real_recording.seen) == len(calls.CALLS)
    assert_no_key(out, err)


# -- cannot compare: exit 2 -------------------------------------------------------------------
@pytest.fixture
def refused_url():
    """A loopback port bound but not listening: connections are refused while the test runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_compare_with_an_unreachable_real_api_exits_2_naming_the_url_not_the_key(refused_url, capsys):
    status, out, err = compare(capsys, "--real", refused_url, "--apikey", REAL_KEY)
    assert status == 2
    assert out == ""
    assert err.startswith(f"trustpilot-mock compare: the real side at {refused_url} cannot be reached "
                          "(GET /v1/business-units/find): ConnectionError")
    assert "Connection refused" in err
    assert_no_key(out, err)


def test_compare_with_an_unreachable_against_sandbox_exits_2_naming_the_sandbox_side(serve, refused_url, capsys):
    real, _ = serve(REAL_KEY)
    status, out, err = compare(capsys, "--real", real, "--apikey", REAL_KEY, "--against", refused_url,
                               "--against-apikey", AGAINST_KEY)
    assert status == 2
    assert err.startswith(f"trustpilot-mock compare: the sandbox side at {refused_url} cannot be reached")
    assert_no_key(out, err)


def test_compare_with_a_key_the_real_api_refuses_exits_2_saying_so(serve, capsys):
    real, recording = serve(REAL_KEY)
    status, out, err = compare(capsys, "--real", real, "--apikey", AGAINST_KEY)
    assert status == 2
    assert err == (f"trustpilot-mock compare: the real side at {real} refused the API key: GET "
                   "/v1/business-units/find (name=trustpilotdemo.com) answered 401; nothing to compare without "
                   "the business unit\n")
    assert len(recording.seen) == 1  # nothing after the refused first call
    assert_no_key(out, err)


def test_compare_with_an_unknown_domain_exits_2_naming_it(serve, capsys):
    real, _ = serve(REAL_KEY)
    status, _, err = compare(capsys, "--real", real, "--apikey", REAL_KEY, "--domain", "nowhere.example")
    assert status == 2
    assert f"the real side at {real} has no business unit named 'nowhere.example'" in err
    assert "answered 404" in err


def test_compare_without_a_key_exits_2(monkeypatch, capsys):
    monkeypatch.delenv("TRUSTPILOT_API_KEY", raising=False)
    status, out, err = compare(capsys, "--real", "https://api.trustpilot.com")
    assert status == 2
    assert err == "trustpilot-mock compare: --apikey (or $TRUSTPILOT_API_KEY) is required: the real API's key\n"


def test_compare_takes_the_key_from_the_environment(serve, monkeypatch, capsys):
    real, recording = serve(REAL_KEY)
    monkeypatch.setenv("TRUSTPILOT_API_KEY", REAL_KEY)
    status, out, err = compare(capsys, "--real", real)
    assert status == 0, err
    assert_read_only_with_header(recording, REAL_KEY)
    assert_no_key(out, err)


@pytest.mark.parametrize("url", ["api.trustpilot.com", f"https://api.trustpilot.com/?apikey={REAL_KEY}",
                                 "ftp://api.trustpilot.com"])
def test_compare_with_a_bad_real_url_is_a_usage_error_that_does_not_repeat_it(url, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["compare", "--real", url, "--apikey", REAL_KEY])
    out, err = capsys.readouterr()
    assert exit_.value.code == 2
    assert "argument --real: must be an http(s) base URL" in err or "without a query" in err
    assert_no_key(out, err)


# -- the pieces -------------------------------------------------------------------------------
def test_the_session_refuses_every_method_but_get(serve):
    url, recording = serve(REAL_KEY)
    session = ReadOnlySession()
    for method in ("POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
        with pytest.raises(WriteRefused, match=f"the drift check sends GET only; refused {method} "):
            session.request(method, url + "/_mock/reset")
    assert recording.seen == []
    assert session.get(url + "/_mock/clock", timeout=30).status_code == 200


def test_the_call_set_is_public_get_operations_of_the_contract():
    contract = yaml.safe_load((OPENAPI_DIR / "trustpilot.yaml").read_text(encoding="utf-8"))
    operations = {op["operationId"]: (path, method, op) for path, item in contract["paths"].items()
                  for method, op in item.items() if isinstance(op, dict) and "operationId" in op}
    assert len({call.operation for call in calls.CALLS}) == len(calls.CALLS)
    for call in calls.CALLS:
        path, method, operation = operations[call.operation]
        assert (path, method) == (call.path, "get"), call.operation
        security = operation.get("security")
        assert security is None or {"apikeyHeader": []} in security, call.operation  # an API key is enough
        declared = {resolve(contract, parameter)["name"] for parameter in operation.get("parameters", [])}
        assert set(call.params) <= declared, call.operation


def resolve(contract, node):
    if "$ref" not in node:
        return node
    for part in node["$ref"].removeprefix("#/").split("/"):
        contract = contract[part]
    return contract


def test_each_id_the_chain_needs_is_given_by_an_earlier_call():
    known = set(calls.CONSTANTS) | {"domain"}
    for call in calls.CALLS:
        assert call.needs() <= known, call.operation
        known |= set(call.gives)


def shape_differences(real, sandbox):
    return [(d.kind, d.path, d.real, d.sandbox) for d in shapes.differences(shapes.shape(real), shapes.shape(sandbox))]


def test_list_items_merge_into_one_path():
    assert shape_differences({"a": [{"x": 1}, {"y": "s"}]}, {"a": [{"x": 2, "y": "t"}]}) == []
    assert shape_differences({"a": [{"x": 1}]}, {"a": [{"x": 1, "y": None}]}) == [("extra", "$.a[].y", None, ["null"])]


def test_an_empty_list_or_a_null_says_nothing_about_fields_within():
    assert shape_differences({"a": []}, {"a": [{"x": 1}]}) == []
    assert shape_differences({"r": None}, {"r": None}) == []
    assert shape_differences({"r": [{"c": None}, {"c": {"t": "x"}}]}, {"r": [{"c": None}]}) == []


def test_null_against_a_value_is_a_type_change_but_sometimes_null_is_not():
    assert shape_differences({"u": None}, {"u": "2026-01-01"}) == [("type", "$.u", ["null"], ["string"])]
    assert shape_differences({"r": [{"u": None}, {"u": "x"}]}, {"r": [{"u": "y"}]}) == []
    assert shape_differences({"n": 1}, {"n": True}) == [("type", "$.n", ["number"], ["boolean"])]
    assert shape_differences({"o": {}}, {"o": []}) == [("type", "$.o", ["object"], ["array"])]


def test_odd_keys_are_quoted_in_paths():
    assert shape_differences({"a.b": 1, "[]": 2}, {}) == [("missing", '$["[]"]', ["number"], None),
                                                          ("missing", '$["a.b"]', ["number"], None)]


def test_compare_help_lists_the_exit_statuses_the_readme_lists():
    result = subprocess.run([sys.executable, "-m", "mock_server.cli", "compare", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    statuses = re.findall(r"^  (\d+) +(.+)$", result.stdout, flags=re.M)
    assert [status for status, _ in statuses] == ["0", "1", "2"]
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Exit statuses", 1)[1].split("\n## ", 1)[0]
    for status, meaning in statuses:
        first_words = " ".join(meaning.split()[:3])
        assert re.search(rf"\| `trustpilot-mock compare` \| `{status}` \|[^\n]*{re.escape(first_words)}", section)


def test_every_request_of_a_run_on_both_sides_is_a_get_without_the_key_in_its_url(serve, monkeypatch, capsys):
    real, _ = serve(REAL_KEY)
    sent = []  # the in-process sandbox side too, which no server records
    original = requests.Session.send

    def send(session, request, **kwargs):
        sent.append((request.method, request.url, request.headers.get("apikey")))
        return original(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    assert compare(capsys, "--real", real, "--apikey", REAL_KEY)[0] == 0
    assert len(sent) == 2 * len(calls.CALLS)
    assert {method for method, _, _ in sent} == {"GET"}
    assert {key for _, _, key in sent} == {REAL_KEY, "demo-partner-key"}
    assert not any(REAL_KEY in url or "demo-partner-key" in url or "apikey" in url for _, url, _ in sent)


def test_compare_with_a_real_url_that_is_not_the_api_exits_2(serve, capsys):
    def html(response):
        return Response("<html>a shop</html>", mimetype="text/html")

    real, recording = serve(REAL_KEY, [(r"/v1/business-units/find", html)])
    status, out, err = compare(capsys, "--real", real, "--apikey", REAL_KEY)
    assert status == 2
    assert err == (f"trustpilot-mock compare: the real side at {real} answered GET /v1/business-units/find without "
                   "a business unit id (no businessUnitId on the real side: find_business_unit's answer has no id); "
                   "is it a Trustpilot API?\n")
    assert len(recording.seen) == 1
