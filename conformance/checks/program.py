"""The Integration Partner Program's requirements (program page, "Requirements" 1-6).

The beta rehearsal drives the integration in its own world; the others read the manifest (and
the other checks' results) and need no sandbox: they run last, with ``world=None``.
"""

import re

from . import seen
from ..results import NOT_APPLICABLE
from .base import USE_CASE_CHECKS, Blocked, CheckFailed, NothingToJudge, NotApplicable, check

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")
BETA_ACTIONS = {"gamma-garden.example": {"partner_permissions": True}, "delta-deli.example": {"plan": "standard"}}


@check("program.beta-rehearsal", "Rehearsal with 5 distinct beta customers",
       "Requirement 3: the integration has been tested by 5 beta users", world="beta",
       depends_on=("onboarding.ineligible",) + USE_CASE_CHECKS)
def beta_rehearsal(ctx):
    """Pass (journal and sandbox state): five customers, side by side, each with its own key and an
    authorization_code exchange, and every claimed use case completing for each. Fail: a use case
    fails for one of them once all five are connected, or fewer keys/consents than customers."""
    customers = ctx.world.customers()
    for customer in customers:  # all five onboarded and connected first: they live side by side
        first = ctx.onboard(customer)
        if not first.ok and customer.domain in BETA_ACTIONS:
            ctx.sandbox.update_business_unit(customer.id, **BETA_ACTIONS[customer.domain])
            ctx.note(f"{customer.domain}: not eligible at first ({first.outcome}); the customer acted")
        ctx.connected(customer)
    for customer in customers:  # then every claimed use case for each of them
        failed = [(u, o) for u in ctx.manifest.use_cases for o in [ctx.use_case(u, customer)] if not o.ok]
        if failed:
            use_case, outcome = failed[0]
            raise CheckFailed(f"beta customer {customer.domain}: {use_case} failed ({outcome.outcome}) after all "
                              f"five were connected: {seen.tail(outcome.output)}")
        ctx.note(f"{customer.domain}: onboarded, connected, {', '.join(ctx.manifest.use_cases) or 'no use case'} ok")
    keys = {a["businessUnitId"] for a in ctx.sandbox.state()["applications"] if a["kind"] == "customer"}
    exchanged = [e for e in seen.token_requests(ctx.journal(), "authorization_code") if seen.ok(e)]
    if len(keys) < 5 or len(exchanged) < 5:
        raise CheckFailed(f"5 customers were onboarded one after another, but only {len(keys)} have a customer key "
                          f"and {len(exchanged)} consents were exchanged; every customer needs its own")


@check("program.use-case", "At least one accepted use case, working",
       "Requirement 2: the integration meets at least one of the accepted use cases", world=None)
def accepted_use_case(ctx):
    """Pass: the manifest claims a use case and at least one use case check passed. Fail: none is
    claimed, or every claimed one's check failed or was blocked. Nothing to judge: no use case
    check ran (--only)."""
    claimed = ctx.manifest.use_cases
    if not claimed:
        raise CheckFailed("the manifest claims no accepted use case (invite, showcase, reply, ingestion)")
    use_cases = [r for r in ctx.results if r.id in USE_CASE_CHECKS]
    working = [r.id for r in use_cases if r.status == "pass"]
    judged = [r for r in use_cases if r.status != NOT_APPLICABLE]
    if not judged:
        raise NothingToJudge(f"the integration claims {', '.join(claimed)}, but no use case check ran")
    blocked = [r for r in judged if r.status == "blocked"]
    if not working and len(blocked) == len(judged):  # none of them could be judged: not a failure of its own
        raise Blocked(blocked[0].id, blocked[0].root_cause)
    if not working:
        raise CheckFailed(f"the integration claims {', '.join(claimed)} but none of those checks passed: "
                          + "; ".join(f"{r.id} {r.status}" for r in judged))
    ctx.note(f"claims {', '.join(claimed)}; passing: {', '.join(working)}")


@check("program.support", "Support documentation and contact given",
       "Requirement 5: publish thorough support documentation and provide contact information", world=None)
def support(ctx):
    """Pass: the manifest gives a documentation URL and an e-mail address or URL for support."""
    manifest = ctx.manifest
    docs, contact = manifest.support.get("documentationUrl", ""), manifest.support.get("contact", "")
    if not URL.match(docs or ""):
        raise CheckFailed(f"integration.support.documentationUrl must be the URL of the published support "
                          f"documentation, got {docs!r}")
    if not (EMAIL.match(contact or "") or URL.match(contact or "")):
        raise CheckFailed(f"integration.support.contact must be an e-mail address or a URL where customers get "
                          f"help, got {contact!r}")
    ctx.note(f"documentation {docs}; contact {contact} (the reviewer confirms the documentation is thorough)")


@check("program.test-account", "A test account with full access for Trustpilot's product team",
       "Requirement 4: provide a test account with full access", world=None)
def test_account(ctx):
    """Pass: the manifest says where Trustpilot's team signs in (a URL) and with which user."""
    account = ctx.manifest.test_account
    missing = [name for name in ("url", "username") if not account.get(name)]
    if missing:
        raise CheckFailed(f"integration.testAccount lacks {' and '.join(missing)}: say where Trustpilot's team "
                          "signs in and with which user")
    if not URL.match(account["url"]):
        raise CheckFailed(f"integration.testAccount.url must be a URL, got {account['url']!r}")
    ctx.note(f"{account['username']} at {account['url']}")


@check("program.master-partner-agreement", "Master Partner Agreement signed",
       "Requirement 6: agree to the terms and sign the Master Partner Agreement", severity="manual", world=None)
def master_partner_agreement(ctx):
    raise NotApplicable("confirmed by your Partner Manager, not by software: sign the Master Partner Agreement "
                        "before the technical review")
