"""Every check can fail: one deliberately broken variant of the reference integration per check.

Each variant (tests/conformance_variants/broken_reference.py, or a manifest change for the
program checks) breaks exactly one behaviour; the whole catalog is judged against it, and exactly
the check guarding that behaviour fails, with a message naming the problem. No other required
check fails because of it: the checks that depend on it are blocked by it, naming it as the root
cause. A broken integration runs only the checks its break can reach; the others' results are the
reference's, from one traced run (tests/reference_trace.py explains why that is the same verdict).
"""

import ast
from pathlib import Path

import pytest

import conformance
from conformance import manifest as manifests
from conformance.checks import CATALOG
from conformance.reporters import Fanout
from conformance.results import RunSummary
from conformance.runner import run

from kit_helpers import reference_manifest
from conftest import shared
from reference_trace import replaced_steps, traced_run

# check id -> (the variant that breaks it, words its failure message must contain)
BROKEN_INTEGRATIONS = {
    "auth.partner-token": ("token_per_call", "the partner token is fetched again and again"),
    "onboarding.find-by-domain": ("search_not_find", "never called GET /v1/business-units/find"),
    "onboarding.eligibility-first": ("skips_eligibility_check", "without first checking eligibility"),
    "onboarding.ineligible": ("unhelpful_refusal", "without telling the customer to enable partner permissions"),
    "onboarding.key-errors": ("swallows_key_errors", "but onboarding reported success"),
    "consent.authorization-code": ("exchanges_code_twice", "the code was exchanged 2 times"),
    "consent.state": ("accepts_any_state", "a callback with a forged state was accepted"),
    "calls.partner-id-header": ("no_partner_header", "lack the 'x-partner-id: "),
    "tokens.refresh": ("reconsent_instead_of_refresh", "failed (exit 1) instead of refreshing"),
    "auth.two-factor": ("retries_two_factor", "the refused password grant was retried"),
    "usecase.ingestion": ("first_page_only", "not every location page was read"),
    "usecase.reply": ("replies_to_newest", "the integration replied to another review"),
    "usecase.invite": ("drops_order_reference", "the invitation's reference is 'no-reference'"),
    "usecase.showcase": ("showcase_without_score", "showcase never read the business unit's score"),
    "robustness.backoff-429": ("ignores_retry_after", "wait at least as long as Retry-After says"),
    "robustness.retry-5xx": ("no_retry_on_5xx", "two 503s in a row made"),
    "onboarding.one-key-per-customer": ("rekeys_every_onboard", "requested a new customer key"),
    "robustness.rate-ceiling": ("one_review_per_call", "went over the documented rate ceiling"),
    "security.no-secrets": ("prints_token", "accessToken in the reply output"),
    "program.beta-rehearsal": ("remembers_one_customer", "after all five were connected"),
}


@pytest.fixture(scope="session")
def reference_trace(tmp_path_factory, worker_id, kit_emulator):
    return shared(tmp_path_factory, worker_id, "reference-trace", lambda path: traced_run(path, kit_emulator))


def run_variant(variant, emulator, tmp_path, trace):
    """The catalog judged against ``variant``: the checks its break reaches run, the rest are the
    reference's."""
    manifest = manifests.load(reference_manifest(tmp_path, variant=variant))
    reached = trace.checks_reached(replaced_steps(variant))
    assert reached, f"no check calls a step that {variant} replaces"
    return trace.completed(run(manifest, emulator, Fanout([]), only=reached, jobs=2), manifest)


def _no_use_case(data):
    data["integration"]["useCases"] = []


def _no_support(data):
    data["integration"]["support"] = {"documentationUrl": "see our website"}


def _no_test_account(data):
    data["integration"]["testAccount"] = {"notes": "ask us"}


BROKEN_MANIFESTS = {
    "program.use-case": (_no_use_case, "the manifest claims no accepted use case"),
    "program.support": (_no_support, "documentationUrl must be the URL of the published support documentation"),
    "program.test-account": (_no_test_account, "integration.testAccount lacks url and username"),
}


def test_every_check_that_software_judges_has_a_failing_variant():
    judged = {c.id for c in CATALOG if c.severity != "manual"}
    assert set(BROKEN_INTEGRATIONS) | set(BROKEN_MANIFESTS) == judged


def test_manual_items_are_never_passed_by_software(kit_emulator, tmp_path):
    summary = run(manifests.load(reference_manifest(tmp_path)), kit_emulator, Fanout([]),
                  only=["program.master-partner-agreement"])
    assert [(r.status, r.blocking) for r in summary.results] == [("manual", False)]


# The mistakes the issue found kits missing or misjudging, each failing its check with a diagnosis.
# check id -> (variant, words of the message)
DIAGNOSED = {
    "showcase_swallows_503": ("robustness.retry-5xx", "yet showcase reported success (exit 0): a swallowed error"),
    "client_credentials_consent": ("consent.authorization-code",
                                   "asked for the customer's token with grant_type=client_credentials and the "
                                   "customer key"),
    "unregistered_redirect_uri": ("consent.authorization-code", "/oauth/callback', but the registered redirect "
                                  "URI is 'http://127.0.0.1:"),
    "search_by_display_name": ("onboarding.find-by-domain", "looked up by the name 'Bright Shop', not by the "
                               "customer's domain 'bright-shop.example'"),
    "key_after_200": ("onboarding.ineligible", "answered 200 (not eligible) at #"),
    "crashes_on_emoji": ("usecase.showcase", "showcase for starry-shop.example failed (exit 1)"),
    "drops_last_location_page": ("usecase.ingestion", "the integration kept 400 of the 450 locations of "
                                 "bright-shop.example: 50 missing"),
}


def _only_this_fails(summary, check_id, words):
    results = {r.id: r for r in summary.results}
    target = results[check_id]
    assert target.status == "fail", f"{check_id} {target.status}: {target.message}"
    assert words in target.message
    assert "Traceback" not in target.message and "&#39;" not in target.message
    others = {r.id: r.message for r in summary.results if r.blocking and r.id != check_id
              and not (r.status == "blocked" and r.root_cause == check_id)}
    assert others == {}
    assert [r.id for r in summary.results if r.status in ("fail", "error")] == [check_id]
    assert summary.ready == (target.severity != "required")


@pytest.mark.parametrize("check_id", list(BROKEN_INTEGRATIONS))
def test_broken_integration_fails_only_its_check(check_id, kit_emulator, tmp_path, reference_trace):
    variant, words = BROKEN_INTEGRATIONS[check_id]
    _only_this_fails(run_variant(variant, kit_emulator, tmp_path, reference_trace), check_id, words)


@pytest.mark.parametrize("variant", list(DIAGNOSED))
def test_common_mistake_fails_its_check_with_a_diagnosis(variant, kit_emulator, tmp_path, reference_trace):
    check_id, words = DIAGNOSED[variant]
    _only_this_fails(run_variant(variant, kit_emulator, tmp_path, reference_trace), check_id, words)


def test_invite_without_a_reference_passes(kit_emulator, tmp_path):
    def no_reference(data):
        data["triggers"]["invite"]["run"] = data["triggers"]["invite"]["run"].replace(" {reference_id}", "")
    manifest = manifests.load(reference_manifest(tmp_path, no_reference, variant="invite_without_reference"))
    summary = run(manifest, kit_emulator, Fanout([]), only=["usecase.invite"])
    (result,) = summary.results
    assert (result.status, result.message) == ("pass", "")
    assert "found by recipient" in result.evidence.notes[-1]


def test_blocked_dependents_name_the_failed_prerequisite(kit_emulator, tmp_path):
    manifest = manifests.load(reference_manifest(tmp_path, variant="exchanges_code_twice"))
    summary = run(manifest, kit_emulator, Fanout([]), only=["consent", "usecase.reply"])
    results = {r.id: r for r in summary.results}
    assert results["consent.authorization-code"].status == "fail"
    blocked = results["consent.state"]
    assert (blocked.status, blocked.blocked_by) == ("blocked", "consent.authorization-code")
    assert blocked.message == "blocked by consent.authorization-code, which did not pass"
    assert blocked.evidence.triggers == []  # never ran: nothing to be misled by
    assert results["usecase.reply"].status == "blocked"


# Manifest properties only checks on the results read (guarded by the test below): a manifest
# variant changing only these runs no integration, it is the reference's, and only the checks on
# the results are judged again, over the traced run's results.
READ_ONLY_ON_RESULTS = {"program.support": "support", "program.test-account": "test_account"}


@pytest.mark.parametrize("check_id", list(BROKEN_MANIFESTS))
def test_broken_manifest_fails_only_its_check(check_id, kit_emulator, tmp_path, reference_trace):
    change, words = BROKEN_MANIFESTS[check_id]
    manifest = manifests.load(reference_manifest(tmp_path, change))
    if check_id in READ_ONLY_ON_RESULTS:
        summary = reference_trace.completed(RunSummary(results=[], seconds=0.0), manifest)
    else:  # program.use-case: claiming no use case changes which checks with a world apply
        summary = run(manifest, kit_emulator, Fanout([]), jobs=2)
    _only_this_fails(summary, check_id, words)


def test_manifest_fields_of_those_variants_are_read_only_by_checks_on_the_results():
    """The kit reads integration.support and integration.testAccount only through the manifest's
    properties, and only the program checks that judge the results (world None) read those."""
    package = Path(conformance.__file__).parent
    readers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = (isinstance(node, ast.Attribute) and node.attr in READ_ONLY_ON_RESULTS.values()) or \
                    (isinstance(node, ast.Constant) and node.value in ("support", "testAccount"))
            if named:
                readers.add(path.relative_to(package).as_posix())
    assert readers == {"manifest.py", "checks/program.py"}
    in_program = [c for c in CATALOG if c.run.__module__ == "conformance.checks.program"]
    reading = [c for c in in_program if set(c.run.__code__.co_names) & set(READ_ONLY_ON_RESULTS.values())]
    assert sorted(c.id for c in reading) == sorted(READ_ONLY_ON_RESULTS)
    assert all(c.world is None for c in reading)


def test_secret_leaked_on_an_error_path_fails_the_secrets_check(kit_emulator, tmp_path):
    manifest = manifests.load(reference_manifest(tmp_path, variant="password_in_refusal"))
    summary = run(manifest, kit_emulator, Fanout([]), only=["auth.two-factor", "security.no-secrets"])
    results = {r.id: r for r in summary.results}
    assert results["security.no-secrets"].status == "fail"
    assert results["security.no-secrets"].message.startswith(
        "secrets appear in what the integration printed, showed or sent in a URL: "
        "auth.two-factor: password in the onboard output")
    assert "conformance-password-91c2" not in results["auth.two-factor"].evidence.triggers[0].output


def test_secret_sent_in_a_request_url_fails_the_secrets_check(kit_emulator, tmp_path):
    manifest = manifests.load(reference_manifest(tmp_path, variant="secret_in_query"))
    summary = run(manifest, kit_emulator, Fanout([]), only=["onboarding.find-by-domain", "security.no-secrets"])
    results = {r.id: r for r in summary.results}
    assert results["onboarding.find-by-domain"].status == "pass"
    message = results["security.no-secrets"].message
    assert results["security.no-secrets"].status == "fail"
    assert ("onboarding.find-by-domain: client_secret in the URL of POST "
            "/v1/oauth/oauth-business-users-for-applications/accesstoken (#") in message
    assert "conformance-partner-secret-7f3a" not in message
