"""The pytest plugin (mock_server/pytest_plugin.py) and its client (mock_server/testing/), tested
with pytester: each test runs a small suite in-process and reads its outcome and output."""

import re
from pathlib import Path

import pytest
import requests
import trustpilot.client
# Imported here, before any in-process pytester run: a run drops the modules first imported inside
# it, and PyYAML imported a second time breaks its C loader ("no constructor for the tag None").
import yaml  # noqa: F401

from mock_server.testing import ControlError, JournalAssertionError, Sandbox
from mock_server.testing.client import IN_PROCESS_ROOT

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "pytest_plugin"
EXAMPLE_COUNT = 9
FIND = """
import requests

def find(sandbox, key="demo-partner-key", name="trustpilotdemo.com"):
    return requests.get(sandbox.api_url + "/v1/business-units/find", params={"name": name},
                        headers={"apikey": key}, timeout=10)
"""


@pytest.fixture
def examples(pytester):
    pytester.makepyfile(test_examples=(EXAMPLES / "test_examples.py").read_text())
    pytester.makefile(".yaml", tiny=(EXAMPLES / "tiny.yaml").read_text())
    return pytester


@pytest.fixture(scope="module")
def in_process():
    with Sandbox.in_process() as sandbox:
        yield sandbox


def suite(pytester, body):
    pytester.makepyfile(sandbox_suite_helpers=FIND)
    pytester.makepyfile(test_suite="import pytest\nfrom sandbox_suite_helpers import find\n" + body)
    return pytester


# -- the README's examples ---------------------------------------------------------------------
def test_readme_shows_the_example_files_verbatim():
    readme = (ROOT / "README.md").read_text()
    for name, language in (("test_examples.py", "python"), ("tiny.yaml", "yaml")):
        block = f"```{language}\n# {name}\n{(EXAMPLES / name).read_text()}```"
        if block not in readme:
            pytest.fail(f"README's block for examples/pytest_plugin/{name} is not the file; copy the file in", False)


def test_examples_pass_in_process(examples):
    examples.runpytest().assert_outcomes(passed=EXAMPLE_COUNT)


def test_examples_pass_against_a_server_started_for_the_session(examples):
    examples.runpytest("--trustpilot-sandbox=server").assert_outcomes(passed=EXAMPLE_COUNT)


def test_examples_pass_in_a_named_sandbox_on_another_host(examples, live_server):
    result = examples.runpytest(f"--trustpilot-sandbox-url={live_server}", "--trustpilot-sandbox-name=ci-7")
    result.assert_outcomes(passed=EXAMPLE_COUNT)
    names = [s["name"] for s in requests.get(live_server + "/_mock/sandboxes", timeout=10).json()["sandboxes"]]
    assert not [name for name in names if name.startswith("ci-7")]  # deleted at the end of the session


# -- fixtures, modes and markers --------------------------------------------------------------------
def test_plugin_starts_nothing_for_tests_that_do_not_ask(pytester, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a sandbox was started")

    monkeypatch.setattr(Sandbox, "serve", refuse)
    monkeypatch.setattr(Sandbox, "in_process", refuse)
    pytester.makepyfile("def test_plain():\n    assert True\n")
    pytester.runpytest("--trustpilot-sandbox=server").assert_outcomes(passed=1)


def test_named_sandbox_is_named_after_the_xdist_worker(pytester, live_server, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    suite(pytester, """
def test_name(trustpilot_sandbox):
    assert trustpilot_sandbox.name == "job-42-gw3"
    assert trustpilot_sandbox.api_url.endswith("/_sandbox/job-42-gw3")
    assert find(trustpilot_sandbox).status_code == 200
""")
    result = pytester.runpytest(f"--trustpilot-sandbox-url={live_server}", "--trustpilot-sandbox-name=job-42")
    result.assert_outcomes(passed=1)


def test_another_host_without_a_name_gets_a_random_sandbox_and_leaves_default_alone(pytester, live):
    suite(pytester, """
def test_name(trustpilot_sandbox):
    assert trustpilot_sandbox.name.startswith("pytest-")
    assert find(trustpilot_sandbox).status_code == 200
""")
    pytester.runpytest(f"--trustpilot-sandbox-url={live}").assert_outcomes(passed=1)
    assert requests.get(live + "/_mock/journal", timeout=10).json()["entries"] == []


def test_scenario_marker_loads_its_world_and_the_next_test_gets_the_default_back(pytester):
    pytester.makefile(".yaml", tiny=(EXAMPLES / "tiny.yaml").read_text())
    suite(pytester, """
@pytest.mark.trustpilot_scenario("tiny.yaml")
def test_tiny(trustpilot_sandbox):
    assert find(trustpilot_sandbox, "tiny-key", "tiny.example").status_code == 200

def test_default_again(trustpilot_sandbox):
    assert find(trustpilot_sandbox).status_code == 200
    assert find(trustpilot_sandbox, "tiny-key", "tiny.example").status_code == 401
""")
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_scenario_marker_takes_a_world_dict(pytester):
    suite(pytester, """
WORLD = {"name": "dict", "partners": [{"id": "11111111-2222-4333-8444-555555555555", "name": "P",
         "apiKey": "dict-key", "apiSecret": "s"}], "businessUnits": [{"id": "b" * 24, "domain": "dict.example", "plan": "free"}]}

@pytest.mark.trustpilot_scenario(WORLD)
def test_dict(trustpilot_sandbox):
    assert find(trustpilot_sandbox, "dict-key", "dict.example").json()["id"] == "b" * 24
""")
    pytester.runpytest().assert_outcomes(passed=1)


def test_scenario_as_an_indirect_parameter(pytester):
    pytester.makefile(".yaml", tiny=(EXAMPLES / "tiny.yaml").read_text())
    suite(pytester, """
@pytest.mark.parametrize("trustpilot_sandbox", ["tiny.yaml", "default.yaml"], indirect=True)
def test_world(trustpilot_sandbox):
    assert trustpilot_sandbox.state()["scenario"] in ("tiny", "default")
""")
    pytester.runpytest().assert_outcomes(passed=2)


def test_scenario_marker_with_a_missing_file_names_the_places_looked(pytester):
    suite(pytester, """
@pytest.mark.trustpilot_scenario("nowhere.yaml")
def test_missing(trustpilot_sandbox):
    pass
""")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*trustpilot_scenario 'nowhere.yaml' not found; looked at */nowhere.yaml, *"])


def test_session_scenario_option_sets_every_tests_world(pytester):
    pytester.makefile(".yaml", tiny=(EXAMPLES / "tiny.yaml").read_text())
    suite(pytester, """
def test_world(trustpilot_sandbox):
    assert trustpilot_sandbox.state()["scenario"] == "tiny"
""")
    pytester.runpytest("--trustpilot-scenario=tiny.yaml").assert_outcomes(passed=1)


def test_trustpilot_server_marker_runs_that_test_over_real_http(pytester):
    suite(pytester, """
@pytest.mark.trustpilot_server
def test_real(trustpilot_sandbox):
    assert trustpilot_sandbox.api_url.startswith("http://127.0.0.1:")

def test_in_process(trustpilot_sandbox):
    assert trustpilot_sandbox.api_url == "http://sandbox.trustpilot.invalid"
""")
    pytester.runpytest().assert_outcomes(passed=2)


def test_requests_reach_the_in_process_sandbox_only_during_the_test(pytester):
    suite(pytester, f"""
import requests

def test_during(trustpilot_sandbox):
    assert find(trustpilot_sandbox).status_code == 200
    assert type(requests.Session().get_adapter("http://example.com/")).__name__ == "HTTPAdapter"

def test_after():
    with pytest.raises(requests.ConnectionError):
        requests.get("{IN_PROCESS_ROOT}/v1/business-units/find", timeout=5)
""")
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


# -- journal assertions: what a failure says ------------------------------------------------------
def test_assert_called_failure_lists_the_near_misses_and_why(pytester):
    suite(pytester, """
def test_fails(trustpilot_sandbox):
    find(trustpilot_sandbox)
    trustpilot_sandbox.session.get(trustpilot_sandbox.api_url + "/v1/business-units/nope", headers={})
    trustpilot_sandbox.assert_called("POST", "/v1/business-units/find", status=201, apikey="other-partner-key")
""")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "E * expected POST /v1/business-units/find with status=201, apikey='other-partner-key' "
        "to be called at least once, but it was called 0 times.",
        "E * Nearest requests that did not match (2 of 2):",
        "E *   #1 GET /v1/business-units/find?name=trustpilotdemo.com -> 200: method GET, not POST; "
        "status 200, not 201; apikey 'demo-partner-key', not 'other-partner-key'",
        "E *   #2 GET /v1/business-units/nope -> 401: method GET, not POST; "
        "path does not match /v1/business-units/find; status 401, not 201; no apikey",
        "E * (the whole journal: GET /_mock/journal)",
    ])


def test_assert_called_failure_over_a_real_server_shows_the_same_near_misses(pytester):
    suite(pytester, """
def test_fails(trustpilot_sandbox):
    find(trustpilot_sandbox, name="nowhere.example")
    trustpilot_sandbox.assert_called("GET", "/v1/business-units/find", status=200)
""")
    result = pytester.runpytest("--trustpilot-sandbox=server")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "E *   #1 GET /v1/business-units/find?name=nowhere.example -> 404: status 404, not 200",
    ])


def test_assert_called_times_failure_lists_the_matching_requests(pytester):
    suite(pytester, """
def test_fails(trustpilot_sandbox):
    find(trustpilot_sandbox)
    find(trustpilot_sandbox)
    trustpilot_sandbox.assert_called("GET", "/v1/business-units/find", times=1)
""")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines([
        "E * expected GET /v1/business-units/find to be called once, but it was called twice.",
        "E * Matching requests:",
        "E *   #1 GET /v1/business-units/find?name=trustpilotdemo.com -> 200",
        "E *   #2 GET /v1/business-units/find?name=trustpilotdemo.com -> 200",
    ])


def test_assert_called_on_an_empty_journal_says_nothing_arrived(pytester):
    suite(pytester, """
def test_fails(trustpilot_sandbox):
    trustpilot_sandbox.assert_called("GET", "/v1/**")
""")
    pytester.runpytest().stdout.fnmatch_lines(
        ["E * The journal is empty: no request reached the sandbox since the last reset."])


def test_assert_not_called_failure_lists_the_requests_that_matched(pytester):
    suite(pytester, """
def test_fails(trustpilot_sandbox):
    find(trustpilot_sandbox)
    trustpilot_sandbox.assert_not_called("GET", "/v1/business-units/*")
""")
    pytester.runpytest().stdout.fnmatch_lines([
        "E * expected no request GET /v1/business-units/*, but 1 matched:",
        "E *   #1 GET /v1/business-units/find?name=trustpilotdemo.com -> 200",
    ])


def test_assert_called_query_mismatch_names_the_field(in_process):
    in_process.reset()
    in_process.session.get(in_process.api_url + "/v1/business-units/find?name=a.example", headers={"apikey": "x"})
    with pytest.raises(JournalAssertionError) as failure:
        in_process.assert_called("GET", "/v1/business-units/find", query={"name": "b.example", "country": "DK"})
    assert "query name='a.example', not 'b.example'; query field 'country' missing" in str(failure.value)


def test_assert_called_accepts_predicates_and_regexes(in_process):
    in_process.reset()
    in_process.session.get(in_process.api_url + "/v1/business-units/find?name=a.example")
    matches = in_process.assert_called("GET", re.compile(r"/v1/business-units/f\w+"), times=1,
                                       status=lambda status: status >= 400)
    assert matches[0]["status"] == 401


def test_assert_called_with_an_unknown_matcher_names_the_known_ones(in_process):
    with pytest.raises(TypeError, match="unknown journal matcher.s. header; use status, query, form, apikey"):
        in_process.assert_called("GET", "/v1/x", header="x")


# -- the client outside pytest ------------------------------------------------------------------
def test_in_process_sandbox_serves_an_unmodified_client_through_intercept_requests(in_process):
    in_process.reset()
    with in_process.intercept_requests():
        session = trustpilot.client.TrustpilotSession(
            api_host=in_process.api_url, api_key="demo-partner-key", api_secret="demo-partner-secret",
            username="partner@demo-partner.test", password="partner-password")
        assert session.get("/v1/business-units/507f191e810c19729de860ea").status_code == 200
    in_process.assert_called("GET", "/v1/business-units/507f191e810c19729de860ea", status=200, bearer="valid")


def test_connect_with_a_name_creates_the_sandbox_and_close_deletes_it(live_server):
    with Sandbox.connect(live_server, name="outside-pytest") as sandbox:
        assert sandbox.state()["sandbox"] == "outside-pytest"
    names = [s["name"] for s in requests.get(live_server + "/_mock/sandboxes", timeout=10).json()["sandboxes"]]
    assert "outside-pytest" not in names


def test_load_scenario_refused_raises_control_error_with_the_details(in_process):
    with pytest.raises(ControlError) as failure:
        in_process.load_scenario({"name": "x", "colour": 1})
    assert failure.value.status == 400
    assert failure.value.details == "<request body>:3: colour: unknown field(s) 'colour'"
