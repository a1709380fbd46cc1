"""Every check can fail: one deliberately broken variant of the reference integration per check.

Each variant (tests/conformance_variants/broken_reference.py, or a manifest change for the
program checks) breaks exactly one behaviour; the whole catalog runs against it, and exactly the
check guarding that behaviour fails, with a message naming the problem. No other required check
fails because of it.
"""

import pytest

from conformance import manifest as manifests
from conformance.checks import CATALOG
from conformance.reporters import Fanout
from conformance.runner import run

from kit_helpers import reference_manifest

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
    "robustness.rate-ceiling": ("one_review_per_call", "went over the documented rate ceiling"),
    "security.no-secrets": ("prints_token", "accessToken in the reply output"),
    "program.beta-rehearsal": ("remembers_one_customer", "after all five were connected"),
}


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


# A variant whose fault the sandbox answers by revoking tokens: the second exchange of a code
# revokes what the first issued (RFC 6749 §4.1.2), so checks that use the customer's tokens later
# fail too, each saying the token was revoked. Those are consequences, not other faults.
CONSEQUENCES = {"consent.authorization-code": "revoked"}


def _only_this_fails(summary, check_id, words):
    results = {r.id: r for r in summary.results}
    target = results[check_id]
    assert target.status == "fail", f"{check_id} {target.status}: {target.message}"
    assert words in target.message
    others = {r.id: r.message for r in summary.results if r.blocking and r.id != check_id
              and not (check_id in CONSEQUENCES and CONSEQUENCES[check_id] in r.message)}
    assert others == {}


@pytest.mark.parametrize("check_id", list(BROKEN_INTEGRATIONS))
def test_broken_integration_fails_only_its_check(check_id, kit_emulator, tmp_path):
    variant, words = BROKEN_INTEGRATIONS[check_id]
    manifest = manifests.load(reference_manifest(tmp_path, variant=variant))
    _only_this_fails(run(manifest, kit_emulator, Fanout([]), jobs=2), check_id, words)


@pytest.mark.parametrize("check_id", list(BROKEN_MANIFESTS))
def test_broken_manifest_fails_only_its_check(check_id, kit_emulator, tmp_path):
    change, words = BROKEN_MANIFESTS[check_id]
    manifest = manifests.load(reference_manifest(tmp_path, change))
    _only_this_fails(run(manifest, kit_emulator, Fanout([]), jobs=2), check_id, words)


def test_secret_leaked_on_an_error_path_fails_the_secrets_check(kit_emulator, tmp_path):
    manifest = manifests.load(reference_manifest(tmp_path, variant="password_in_refusal"))
    summary = run(manifest, kit_emulator, Fanout([]), only=["auth.two-factor", "security.no-secrets"])
    results = {r.id: r for r in summary.results}
    assert results["security.no-secrets"].status == "fail"
    assert results["security.no-secrets"].message.startswith(
        "secrets appear in what the integration printed or showed in other checks: "
        "auth.two-factor: password in the onboard output")
    assert "conformance-password-91c2" not in results["auth.two-factor"].evidence.triggers[0].output
