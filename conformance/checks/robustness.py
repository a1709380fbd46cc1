"""Robustness: back off on 429, retry transient 5xx a bounded number of times, stay under the ceiling."""

from . import seen
from .base import CheckFailed, NotApplicable, check
from .onboarding import BRIGHT

# Where a fault is injected for each use case: the call that use case cannot do without.
FAULT_TARGETS = {
    "showcase": ("GET", "/v1/business-units/**"),
    "reply": ("POST", "/v1/private/reviews/*/reply"),
    "invite": ("POST", "/v1/private/business-units/*/*"),  # email-invitations or invitation-links
    "ingestion": ("GET", "/v1/business-units/**"),
}
RETRY_AFTER = 1.0          # seconds: what the rateLimited preset answers
MAX_ATTEMPTS = 6           # one call and at most five retries: "a bounded number of times"
CEILING_RULE = "rate-ceiling"


def _target(ctx):
    use_case = next((u for u in FAULT_TARGETS if u in ctx.manifest.use_cases), None)
    if use_case is None:
        raise NotApplicable("no use case is claimed, so there is no call to fail")
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    return use_case, customer, FAULT_TARGETS[use_case]


def _fault(ctx, rule_id, method, path, preset, times=None):
    rule = {"id": rule_id, "method": method, "path": path, "response": {"preset": preset}}
    if times:
        rule["times"] = times
    ctx.sandbox.add_fault(rule)


def _fired(entries, rule_id):
    return [e for e in entries if (e.get("fault") or {}).get("rule") == rule_id]


@check("robustness.backoff-429", "Backs off on 429 for as long as Retry-After says",
       "API rate limits: a 429 carries Retry-After; wait that long before trying again")
def backoff_429(ctx):
    use_case, customer, (method, path) = _target(ctx)
    _fault(ctx, "kit-429", method, path, "rateLimited", times=1)
    outcome = ctx.use_case(use_case, customer)
    entries = ctx.journal()
    fired = _fired(entries, "kit-429")
    if not fired:
        raise NotApplicable(f"{use_case} made no {method} {path} call, so the kit had no call to answer with 429")
    retries = [e for e in seen.calls(entries, method, fired[0]["path"]) if e["seq"] > fired[0]["seq"]]
    if not retries:
        raise CheckFailed(f"after the 429 on {fired[0]['path']} the call was never tried again "
                          f"({use_case}: {outcome.outcome})")
    waited = retries[0]["at"] - fired[0]["at"]
    ctx.note(f"429 at #{fired[0]['seq']} (Retry-After {RETRY_AFTER:g} s); tried again {waited:.2f} s later")
    if waited < RETRY_AFTER - 0.05:
        raise CheckFailed(f"tried again {waited:.2f} s after a 429 that said Retry-After: {RETRY_AFTER:g}; wait at "
                          "least as long as Retry-After says")
    if not outcome.ok:
        raise CheckFailed(f"{use_case} failed after one 429 ({outcome.outcome}): {seen.tail(outcome.output)}")


@check("robustness.retry-5xx", "Retries transient 5xx a bounded number of times, then fails clearly",
       "Reliability: a 503 that passes is retried; a 500 that does not pass ends in an error, not a loop")
def retry_5xx(ctx):
    use_case, customer, (method, path) = _target(ctx)
    _fault(ctx, "kit-503", method, path, "serviceUnavailable", times=2)
    outcome = ctx.use_case(use_case, customer)
    if not _fired(ctx.journal(), "kit-503"):
        raise NotApplicable(f"{use_case} made no {method} {path} call, so the kit had no call to answer with 503")
    if not outcome.ok:
        raise CheckFailed(f"two 503s in a row made {use_case} fail ({outcome.outcome}); retry transient errors: "
                          f"{seen.tail(outcome.output)}")
    ctx.note(f"two 503s on {path}: {use_case} retried and completed")
    ctx.remove_fault("kit-503")
    _fault(ctx, "kit-500", method, path, "internalServerError")
    outcome = ctx.use_case(use_case, customer)
    fired = _fired(ctx.journal(), "kit-500")
    ctx.note(f"a 500 that never passes: {len(fired)} attempt(s), then {outcome.outcome}")
    if outcome.ok:
        raise CheckFailed(f"every {method} {path} answered 500, yet {use_case} reported success; "
                          "report the failure")
    if len(fired) > MAX_ATTEMPTS:
        raise CheckFailed(f"a lasting 500 was tried {len(fired)} times ({len(fired) - 1} retries); give up after "
                          f"a few attempts (at most {MAX_ATTEMPTS})")
    if "timed out" in outcome.outcome:
        raise CheckFailed(f"on a lasting 500, {use_case} was still waiting to retry when the kit stopped it "
                          f"({outcome.outcome}, {len(fired)} attempt(s)); keep the total back-off short enough "
                          "to report the failure")
    if not outcome.output.strip():
        raise CheckFailed(f"{use_case} failed on a lasting 500 without saying why (no output)")


@check("robustness.rate-ceiling", "Stays under the documented rate ceiling",
       "API rate limits: 833 calls per 5 minutes and 10,000 per hour per client (Trustpilot API reference)",
       severity="recommended")
def rate_ceiling(ctx):
    if not ctx.manifest.use_cases:
        raise NotApplicable("no use case is claimed")
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    ctx.sandbox.set_rate_ceiling({})
    for use_case in ctx.manifest.use_cases:
        ctx.use_case(use_case, customer)
    entries = ctx.journal()
    refused = _fired(entries, CEILING_RULE)
    ctx.note(f"{len(entries)} call(s) with the documented ceiling on; {len(refused)} refused by it")
    if refused:
        raise CheckFailed(f"{len(refused)} call(s) went over the documented rate ceiling and got 429: "
                          f"{seen.listing(refused)}; read with the largest page sizes and pace the calls")
