"""The conformance kit's reporters (console, JUnit XML, JSON, HTML) fed a hand-built run, and the
HTML report in a real browser (Debian's Chromium driven by Playwright)."""

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from conformance.reporters import (ConsoleReporter, Fanout, HTMLReporter, JSONReporter, JUnitReporter,
                                   build_reporters)
from conformance.reporters.html import describe_credentials
from conformance.reporters.sequence import sequence_svg
from conformance.results import CheckResult, Evidence, Reporter, RunInfo, RunSummary, Step, Trigger
from conftest import DEMO_BU, PARTNER_ID, needs_chromium

CONSENT_MESSAGE = ("The callback accepted a code with a state it never issued: "
                   "the integration must reject the redirect when the state does not match.")
HOSTILE = "<script>alert('owned')</script>"


def onboarding_pass():
    steps = [
        Step("Kit", "Integration", f"GET /trustpilot/connect?businessUnitId={DEMO_BU}", "302", True),
        Step("Customer", "Trustpilot", "POST /authenticate (log in, allow)", "302", True),
        Step("Trustpilot", "Integration", "GET /trustpilot/callback?code=…&state=…", "200", True),
        Step("Integration", "Trustpilot", "POST /v1/oauth/oauth-business-users-for-applications/accesstoken", "200", True),
        Step("Integration", "Trustpilot", "POST /v1/private/partners/{id}/key/{buid}", "201", True),
    ]
    return CheckResult("onboarding.partner-key", "Creates the customer key after the consent",
                       "Onboarding step 4: create the partner customer key", "required", "pass", "",
                       Evidence(notes=["One key was created for the demo unit."], sequence=steps), seconds=1.25,
                       world="kit-onboarding")


def consent_fail():
    requests = [
        {"seq": 3, "at": 1700000000.125, "method": "POST", "status": 200,
         "path": "/v1/oauth/oauth-business-users-for-applications/accesstoken", "query": [],
         "form": [["grant_type", "authorization_code"], ["code", "***"], ["client_secret", "***"]],
         "time": "2024-05-01T10:00:00.125Z",
         "credentials": {"apikey": None, "bearer": None, "clientKind": None, "partnerId": None,
                         "partnerIdHeader": None}},
        {"seq": 4, "at": 1700000001.5, "method": "GET", "status": 403,
         "path": f"/v1/private/business-units/{DEMO_BU}/reviews", "query": [["tag", "<img src=x onerror=alert(1)>"]],
         "time": "2024-05-01T10:00:01.500Z",
         "credentials": {"apikey": None, "bearer": {"status": "valid", "clientId": "demo-partner-key", "userId": "u1"},
                         "clientKind": "customer", "partnerId": PARTNER_ID, "partnerIdHeader": PARTNER_ID}},
    ]
    trigger = Trigger("consent", "http://127.0.0.1:8123/trustpilot/callback?code=***&state=forged", True,
                      "HTTP 200", f"Connected!\x1b[32m ok\x1b[0m\n{HOSTILE}", 0.4)
    steps = [Step("Kit", "Integration", "GET /trustpilot/callback?state=forged", "200", False)]
    return CheckResult("consent.state", "Rejects a consent redirect with a forged state",
                       "OAuth: verify the state parameter", "required", "fail", CONSENT_MESSAGE,
                       Evidence(notes=["The kit sent state=forged; the integration answered 200 and exchanged the code."],
                                requests=requests, triggers=[trigger], sequence=steps), seconds=0.8)


def invite_skip():
    return CheckResult("invite.email", "Sends e-mail invitations", "Use case: invite", "recommended", "not applicable",
                       "The manifest does not claim the invite use case.", Evidence())


def support_manual():
    return CheckResult("manual.support-docs", "Publishes support documentation", "Support and documentation",
                       "manual", "manual", "Confirm that the documentation URL explains how to connect Trustpilot.",
                       Evidence(notes=["documentationUrl: https://example.test/docs"]))


def reply_error():
    trigger = Trigger("reply", "python -m integration reply", False, "timed out after 20 s", "", 20.0)
    return CheckResult("reply.author", "Replies as the business", "Use case: reply", "required", "error",
                       "The reply command did not finish within 20 s.", Evidence(triggers=[trigger]), seconds=20.0)


@pytest.fixture
def run():
    results = [onboarding_pass(), consent_fail(), invite_skip(), support_manual(), reply_error()]
    info = RunInfo("Acme <Reviews> Sync", "trustpilot-conformance.yaml", "http://127.0.0.1:8080",
                   "2024-05-01T10:00:00+02:00", [r.id for r in results], ["reply", "ingestion"])
    return info, RunSummary(results, seconds=22.5)


def play(reporter, info, summary):
    reporter.run_started(info)
    for result in summary.results:
        reporter.check_started(result.id, result.title)
        reporter.check_finished(result)
    reporter.run_finished(info, summary)


def test_console_report_shows_failure_message_counts_and_not_ready_verdict(run):
    stream = io.StringIO()
    play(ConsoleReporter(stream), *run)
    text = stream.getvalue()
    assert "      " + CONSENT_MESSAGE in text  # indented under its check
    assert re.search(r"✗ consent\.state\s+Rejects a consent redirect with a forged state\s+\(0\.8 s\)", text)
    assert "required (3): 1 passed, 1 failed, 1 error" in text
    assert "manual (1): 1 to confirm" in text
    assert "5 check(s) in 22.5 s: 1 passed, 1 failed, 1 not applicable, 1 error, 1 to confirm" in text
    assert text.rstrip().endswith("NOT READY: 2 required check(s) failed (root causes: consent.state, reply.author)")
    assert "\x1b[" not in text  # a StringIO is no terminal


def test_console_report_all_passing_is_ready(run):
    info, _ = run
    stream = io.StringIO()
    play(ConsoleReporter(stream), info, RunSummary([onboarding_pass(), invite_skip()], seconds=2))
    assert stream.getvalue().rstrip().endswith("READY for the technical review")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_console_report_colours_a_terminal_unless_no_color(run, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = Terminal()
    play(ConsoleReporter(coloured), *run)
    assert "\x1b[1;31mNOT READY" in coloured.getvalue()

    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    play(ConsoleReporter(plain), *run)
    assert "\x1b[" not in plain.getvalue()


def test_console_report_falls_back_to_ascii_marks_for_an_ascii_stream(run):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    play(ConsoleReporter(stream), *run)
    stream.seek(0)
    assert "x consent.state" in stream.read()


def test_junit_report_counts_and_failure_message(run, tmp_path):
    path = tmp_path / "reports" / "junit.xml"
    play(JUnitReporter(path), *run)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    for element in (root, suite):
        assert {k: element.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
            {"tests": "5", "failures": "1", "errors": "1", "skipped": "2"}
        assert float(element.get("time")) == 22.5
    assert suite.get("name") == "trustpilot-conformance"
    assert suite.get("timestamp") == "2024-05-01T08:00:00"  # UTC, zone-less as the strict schema wants
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    # root causes first: what a reviewer (or a CI page) reads first
    assert list(cases) == ["consent.state", "reply.author", "onboarding.partner-key", "invite.email",
                           "manual.support-docs"]
    assert cases["consent.state"].get("classname") == "consent"
    failure = cases["consent.state"].find("failure")
    assert failure.get("message") == CONSENT_MESSAGE
    assert "the integration answered 200 and exchanged the code" in failure.text
    assert cases["reply.author"].find("error").get("message") == "The reply command did not finish within 20 s."
    assert cases["manual.support-docs"].find("skipped").get("message").startswith("Confirm that")
    assert cases["invite.email"].find("skipped") is not None
    assert list(cases["onboarding.partner-key"]) == []  # a pass carries nothing


def test_junit_report_system_out_holds_trigger_output_without_terminal_escapes(run, tmp_path):
    path = tmp_path / "junit.xml"
    play(JUnitReporter(path), *run)
    out = ET.parse(path).getroot().find(".//testcase[@name='consent.state']/system-out").text
    assert "HTTP 200" in out and "Connected! ok" in out and HOSTILE in out
    assert "\x1b" not in out


def test_json_report_round_trips(run, tmp_path):
    info, summary = run
    path = tmp_path / "report.json"
    play(JSONReporter(path), info, summary)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document == {
        "integration": "Acme <Reviews> Sync", "manifest": "trustpilot-conformance.yaml",
        "sandbox": "http://127.0.0.1:8080", "startedAt": "2024-05-01T10:00:00+02:00", "ready": False,
        "kitVersion": "", "partial": False, "rootCauses": ["consent.state", "reply.author"],
        "verdict": "NOT READY: 2 required check(s) failed (root causes: consent.state, reply.author)",
        "counts": {"pass": 1, "fail": 1, "not applicable": 1, "blocked": 0, "error": 1, "manual": 1}, "seconds": 22.5,
        "checks": [result.to_dict() for result in summary.results],
    }
    assert document["checks"][1]["evidence"]["triggers"][0]["output"].endswith(HOSTILE)


def test_sequence_svg_draws_one_arrow_per_step_in_order_of_appearance():
    steps = onboarding_pass().evidence.sequence + [Step("Integration", "Integration", "store <key> & token", "ok", False)]
    svg = sequence_svg(steps)
    assert svg.startswith("<svg") and svg.count('<g class="step') == len(steps)
    assert svg.count('<g class="step bad"') == 1
    heads = re.findall(r'font-weight="600" fill="#1f2937">([A-Za-z]+)</text>', svg)
    assert heads == ["Kit", "Integration", "Customer", "Trustpilot"]
    assert "store &lt;key&gt; &amp; token" in svg
    ET.fromstring(svg)  # well-formed XML as well as HTML


def test_sequence_svg_of_no_steps_is_empty():
    assert sequence_svg([]) == ""


def test_html_report_escapes_what_the_integration_sent(run, tmp_path):
    path = tmp_path / "report.html"
    play(HTMLReporter(path), *run)
    html = path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html
    assert "<script" not in html.lower()  # the report has no script of its own, and none of the data's
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Acme &lt;Reviews&gt; Sync" in html
    assert "\x1b" not in html


def test_html_report_shows_verdict_checks_requests_and_pictures(run, tmp_path):
    info, summary = run
    path = tmp_path / "report.html"
    play(HTMLReporter(path), info, summary)
    html = path.read_text(encoding="utf-8")
    assert "NOT READY: 2 required check(s) failed (root causes: consent.state, reply.author)" in html
    for result in summary.results:
        assert f'id="check-{result.id}"' in html
    # the flow at the top is the onboarding check's; each check with a sequence has its own picture
    assert html.count("<svg") == 3
    assert html.count('<g class="step') == 5 + 5 + 1
    assert "customer token, x-partner-id present" in html
    assert "form: grant_type=authorization_code&amp;code=***&amp;client_secret=***" in html
    assert "2024-05-01 08:00 UTC" in html


@pytest.mark.parametrize("credentials, expected", [
    (None, "no credentials"),
    ({"apikey": None, "bearer": None, "clientKind": None, "partnerIdHeader": None}, "no API key or token"),
    ({"apikey": "k", "bearer": None, "clientKind": "partner", "partnerIdHeader": None}, "partner API key"),
    ({"apikey": None, "bearer": None, "basicClient": "k", "clientKind": "customer", "partnerIdHeader": "p"},
     "customer key and secret (Basic), x-partner-id present"),
    ({"apikey": None, "bearer": {"status": "valid", "clientId": "k"}, "clientKind": "partner", "partnerIdHeader": None},
     "partner token"),
    ({"apikey": None, "bearer": {"status": "expired", "clientId": "k"}, "clientKind": "customer",
      "partnerIdHeader": None}, "customer token (expired), no x-partner-id"),
    ({"apikey": None, "bearer": {"status": "unknown"}, "clientKind": None, "partnerIdHeader": "p"},
     "unknown token, x-partner-id present"),
])
def test_describe_credentials_summarises_journal_credentials(credentials, expected):
    assert describe_credentials(credentials) == expected


class Recorder(Reporter):
    def __init__(self):
        self.events = []

    def check_finished(self, result):
        self.events.append(result.id)


class Broken(Reporter):
    def check_finished(self, result):
        raise OSError("disk full")


def test_fanout_forwards_to_every_reporter_then_raises_the_first_error():
    first, last = Recorder(), Recorder()
    fanout = Fanout([first, Broken(), last])
    with pytest.raises(OSError, match="disk full"):
        fanout.check_finished(invite_skip())
    assert first.events == last.events == ["invite.email"]


def test_build_reporters_makes_the_ones_asked_for(tmp_path):
    assert build_reporters() == []
    built = build_reporters(console_stream=io.StringIO(), junit=tmp_path / "j.xml", html=tmp_path / "r.html")
    assert [type(r) for r in built] == [ConsoleReporter, JUnitReporter, HTMLReporter]
    assert [type(r) for r in build_reporters(json_path=tmp_path / "r.json")] == [JSONReporter]


# -- the HTML report in real headless Chromium ---------------------------------------------------
@pytest.fixture
def report_page(browser, run, tmp_path):
    path = tmp_path / "report.html"
    play(HTMLReporter(path), *run)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    assert page.goto(path.as_uri()).ok
    yield page
    context.close()


@needs_chromium
@pytest.mark.xdist_group("chromium")  # one Chromium for all browser tests
def test_html_report_in_browser_shows_verdict_and_opens_a_failing_check(report_page, tmp_path):
    expect(report_page.locator("#verdict")).to_contain_text("NOT READY: 2 required check(s) failed (root causes: consent.state, reply.author)")
    check = report_page.locator("details#check-consent\\.state")
    message = check.locator(".message")
    expect(message).to_be_hidden()
    check.locator("summary").click()
    expect(message).to_be_visible()
    expect(message).to_have_text(CONSENT_MESSAGE)
    expect(check.locator("pre")).to_contain_text(HOSTILE)  # shown as text, never run

    flow = report_page.locator("#flow svg")
    expect(flow).to_be_visible()
    box = flow.bounding_box()
    assert box["width"] > 0 and box["height"] > 0
    expect(flow.locator("g.step")).to_have_count(5)

    shot = tmp_path / "report.png"
    report_page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_console_report_strips_the_integrations_terminal_escapes(run):
    info, summary = run
    result = next(r for r in summary.results if r.status == "fail")
    result.message = "onboarding failed: \x1b[31mred error\x1b[0m"
    stream = io.StringIO()
    reporter = ConsoleReporter(stream, color=False)
    reporter.check_finished(result)
    assert "onboarding failed: red error" in stream.getvalue() and "\x1b" not in stream.getvalue()


def blocked_by_consent():
    return CheckResult("usecase.reply", "Reply posts to the right review", "Step 7, reply", "required", "blocked",
                       "blocked by consent.state, which did not pass", Evidence(), blocked_by="consent.state",
                       root_cause="consent.state")


def test_console_names_root_causes_before_the_checklist_and_blocked_checks_after_them():
    results = [onboarding_pass(), blocked_by_consent(), consent_fail()]
    info = RunInfo("Acme", "m.yaml", "in-process", "2024-05-01T10:00:00Z", [r.id for r in results], ["reply"])
    stream = io.StringIO()
    play(ConsoleReporter(stream), info, RunSummary(results, seconds=3))
    text = stream.getvalue()
    roots = text.index("Root causes")
    assert text.index("✗ consent.state", roots) < text.index("Checklist")
    assert "↳ usecase.reply" in text and "      blocked by consent.state, which did not pass" in text
    assert text.rstrip().endswith("NOT READY: 1 required check(s) failed (root cause: consent.state), "
                                  "1 blocked by them")


def test_partial_run_is_never_ready_in_any_report(tmp_path):
    results = [onboarding_pass()]
    info = RunInfo("Acme", "m.yaml", "in-process", "2024-05-01T10:00:00Z", [r.id for r in results], ["reply"],
                   partial=True)
    summary = RunSummary(results, seconds=1, partial=True)
    stream = io.StringIO()
    play(ConsoleReporter(stream), info, summary)
    assert not summary.ready
    assert stream.getvalue().rstrip().endswith(
        "PARTIAL: only the selected checks ran (--only); run every check for a verdict")
    assert "READY for the technical review" not in stream.getvalue()
    play(JSONReporter(tmp_path / "r.json"), info, summary)
    document = json.loads((tmp_path / "r.json").read_text())
    assert (document["ready"], document["partial"]) == (False, True)
    assert document["verdict"].startswith("PARTIAL")


def test_junit_reports_a_blocked_check_as_skipped_naming_its_prerequisite(tmp_path):
    results = [consent_fail(), blocked_by_consent()]
    info = RunInfo("Acme", "m.yaml", "in-process", "2024-05-01T10:00:00Z", [r.id for r in results], ["reply"])
    play(JUnitReporter(tmp_path / "j.xml"), info, RunSummary(results, seconds=1))
    suite = ET.parse(tmp_path / "j.xml").getroot().find("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert cases["usecase.reply"].find("skipped").get("message") == "blocked by consent.state, which did not pass"
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "1")
