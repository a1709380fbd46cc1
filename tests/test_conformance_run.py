"""The kit end to end: the reference integration passes every check over real HTTP; reports and
exit codes; a remote sandbox; an integration that cannot be driven is an error, not a pass."""

import json
import xml.etree.ElementTree as ET

import pytest

from conformance import cli, manifest as manifests
from conformance.checks import CATALOG
from conformance.emulator import Emulator
from conformance.reporters import Fanout
from conformance.runner import run

from conftest import needs_chromium, shared, start_server, stop_server
from kit_helpers import REFERENCE, reference_manifest
KIT_SECRETS = ("conformance-partner-secret-7f3a", "conformance-password-91c2", "bright-admin-pass-3e1")


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory, worker_id):
    """One full run of the reference integration through the CLI, with every report written
    (once per session: the reports are read-only)."""
    return shared(tmp_path_factory, worker_id, "reference-run-reports", _reference_run)


def _reference_run(out):
    paths = {name: out / f"report.{name}" for name in ("xml", "json", "html")}
    status = cli.main(["run", "--manifest", str(REFERENCE), "--quiet", "--junit", str(paths["xml"]),
                       "--json", str(paths["json"]), "--html", str(paths["html"])])
    return status, paths


def test_run_reference_integration_passes_every_required_check(reference_run):
    status, paths = reference_run
    report = json.loads(paths["json"].read_text())
    failing = {c["id"]: c["message"] for c in report["checks"] if c["status"] in ("fail", "error")}
    assert failing == {}
    assert status == 0 and report["ready"] is True
    assert [c["id"] for c in report["checks"]] == [c.id for c in CATALOG]
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses["program.master-partner-agreement"] == "manual"
    assert statuses["usecase.ingestion"] == "pass" and statuses["consent.state"] == "pass"


def test_run_reference_evidence_holds_requests_and_sequence(reference_run):
    report = json.loads(reference_run[1]["json"].read_text())
    consent = next(c for c in report["checks"] if c["id"] == "consent.authorization-code")
    paths = [r["path"] for r in consent["evidence"]["requests"]]
    assert "/v1/business-units/find" in paths and "/authenticate" in paths
    labels = [s["label"] for s in consent["evidence"]["sequence"]]
    assert any(label.startswith("POST /authenticate") for label in labels)
    assert any("callback" in label for label in labels)


def test_run_reports_never_show_a_secret(reference_run):
    for path in reference_run[1].values():
        text = path.read_text()
        leaked = [secret for secret in KIT_SECRETS if secret in text]
        assert leaked == [], f"{path.name} shows {leaked}"


def test_run_junit_counts_match_checks(reference_run):
    suite = ET.parse(reference_run[1]["xml"]).getroot().find("testsuite")
    assert int(suite.get("tests")) == len(CATALOG)
    assert int(suite.get("failures")) == 0 and int(suite.get("errors")) == 0
    assert int(suite.get("skipped")) == 1  # the manual Master Partner Agreement


def test_run_against_a_served_sandbox_by_url(tmp_path):
    proc, base = start_server("--workers", "2")
    try:
        emulator = Emulator(base)
        summary = run(manifests.load(REFERENCE), emulator, Fanout([]), only=["consent", "onboarding.find-by-domain"])
    finally:
        stop_server(proc)
    assert {r.id: r.status for r in summary.results} == {
        "onboarding.find-by-domain": "pass", "consent.authorization-code": "pass", "consent.state": "pass"}
    assert all(r.evidence.requests[0]["pid"] for r in summary.results)  # judged from that server's journal


def test_run_service_that_cannot_start_fails_the_integration_not_the_kit(tmp_path, kit_emulator):
    def broken(data):
        data["service"]["command"] = "{python} -c 'import sys; print(\"boom\"); sys.exit(3)'"
    manifest = manifests.load(reference_manifest(tmp_path, broken))
    summary = run(manifest, kit_emulator, Fanout([]), only=["consent.state"])
    result = summary.results[0]
    assert result.status == "fail" and not summary.ready and not summary.kit_failed
    assert "the service exited with status 3 before" in result.message and "boom" in result.message


def test_run_trigger_that_hangs_is_killed_and_fails(tmp_path, kit_emulator):
    def hanging(data):
        data["triggers"]["showcase"] = {"run": "{python} -c 'import time; time.sleep(30)'", "timeoutSeconds": 1}
    manifest = manifests.load(reference_manifest(tmp_path, hanging))
    summary = run(manifest, kit_emulator, Fanout([]), only=["usecase.showcase"])
    result = summary.results[0]
    assert result.status == "fail"
    assert result.message.startswith("showcase for bright-shop.example failed (timed out after 1 s (killed))")


def test_run_unclaimed_use_case_is_skipped(tmp_path, kit_emulator):
    def showcase_only(data):
        data["integration"]["useCases"] = ["showcase"]
    manifest = manifests.load(reference_manifest(tmp_path, showcase_only))
    summary = run(manifest, kit_emulator, Fanout([]), only=["usecase"])
    statuses = {r.id: (r.status, r.message) for r in summary.results}
    assert statuses["usecase.reply"] == ("not applicable", "the integration does not claim the 'reply' use case")
    assert statuses["usecase.showcase"][0] == "pass"


@needs_chromium
def test_run_consent_in_real_headless_chromium(kit_emulator):
    summary = run(manifests.load(REFERENCE), kit_emulator, Fanout([]), only=["consent"], browser="chromium")
    assert {r.id: (r.status, r.message) for r in summary.results} == {
        "consent.authorization-code": ("pass", ""), "consent.state": ("pass", "")}
    consent = summary.results[0]
    signed_in = [r for r in consent.evidence.requests if r["path"] == "/authenticate" and r["method"] == "POST"]
    assert [r["status"] for r in signed_in] == [302]
    assert "opened in the chromium browser" in [t.outcome for t in consent.evidence.triggers]


def test_run_limited_by_only_is_partial_never_ready(tmp_path, capsys):
    status = cli.main(["run", "--manifest", str(REFERENCE), "--only", "onboarding.find-by-domain"])
    out = capsys.readouterr().out
    assert status == cli.EXIT_PARTIAL
    assert out.rstrip().endswith("PARTIAL: only the selected checks ran (--only); run every check for a verdict")
    assert "READY for the technical review" not in out


def test_run_only_a_check_with_nothing_to_judge_is_not_a_pass(tmp_path, kit_emulator):
    summary = run(manifests.load(REFERENCE), kit_emulator, Fanout([]), only=["program.use-case"])
    (result,) = summary.results
    assert result.status == "fail"
    assert result.message == ("nothing to judge: the integration claims invite, showcase, reply, ingestion, "
                              "but no use case check ran")
    assert summary.partial and not summary.ready


def test_run_kit_failure_is_exit_2_with_one_clear_line(tmp_path, capsys, monkeypatch):
    from conformance import runner

    def broken(*args, **kwargs):
        raise KeyError("sandbox")
    monkeypatch.setattr(runner, "World", broken)
    status = cli.main(["run", "--manifest", str(REFERENCE), "--only", "consent.state", "--json",
                       str(tmp_path / "r.json")])
    captured = capsys.readouterr()
    assert status == cli.EXIT_CANNOT_RUN
    report = json.loads((tmp_path / "r.json").read_text())
    (check,) = report["checks"]
    assert (check["status"], check["message"]) == ("error", "the kit could not judge this check (KeyError: 'sandbox')")
    assert "Traceback" not in captured.out + captured.err


def test_run_bug_outside_any_check_is_exit_2_without_a_traceback(capsys, monkeypatch):
    monkeypatch.setattr(cli, "run", lambda *a, **k: 1 / 0)
    status = cli.main(["run", "--manifest", str(REFERENCE), "--only", "consent.state"])
    err = capsys.readouterr().err
    assert status == cli.EXIT_CANNOT_RUN
    assert err.strip() == ("trustpilot-conformance: the kit failed (ZeroDivisionError: division by zero); this is "
                           "a bug of the kit, not a verdict on the integration")
