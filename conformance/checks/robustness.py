"""Robustness: back off on 429, retry transient 5xx a bounded number of times, stay under the ceiling.

Each runs against every claimed use case, in turn, on that use case's main call. A retry is the
same method and path asked again, and it must end in a 2xx; otherwise the integration must fail
clearly (a failed trigger with a message) after a bounded number of attempts with growing delays.
"""

from . import seen
from ..faults import html_error
from .base import USE_CASE_CHECKS, CheckFailed, NothingToJudge, NotApplicable, check
from .onboarding import BRIGHT

# Where a fault is injected for each use case: the call that use case cannot do without.
FAULT_TARGETS = {
    "showcase": ("GET", "/v1/business-units/**"),
    "reply": ("POST", "/v1/private/reviews/*/reply"),
    "invite": ("POST", "/v1/private/business-units/*/*"),  # email-invitations or invitation-links
    "ingestion": ("GET", "/v1/business-units/**"),
}
LONG_RETRY_AFTER = 2       # seconds, on the first use case's 429: "always wait 1 s" is caught
RETRY_AFTER = 1            # seconds, on the others' (what the rateLimited preset says)
MAX_ATTEMPTS = 6           # one call and at most five retries: "a bounded number of times"
CEILING_RULE = "rate-ceiling"


def _targets(ctx):
    """(use case, (method, path)) for each claimed use case, the customer connected."""
    claimed = [u for u in FAULT_TARGETS if u in ctx.manifest.use_cases]
    if not claimed:
        raise NotApplicable("no use case is claimed, so there is no call to fail")
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    return customer, [(u, FAULT_TARGETS[u]) for u in claimed]


def _fault(ctx, rule_id, method, path, response, times=None):
    rule = {"id": rule_id, "method": method, "path": path, "response": response}
    if times:
        rule["times"] = times
    ctx.sandbox.add_fault(rule)


def _fired(entries, rule_id):
    return [e for e in entries if (e.get("fault") or {}).get("rule") == rule_id]


def _after(ctx, mark):
    return [e for e in ctx.journal() if e["seq"] > mark]


def _retries(entries, failed):
    """The same call (method and path) asked again after ``failed``."""
    return [e for e in entries if e["seq"] > failed["seq"] and e["method"] == failed["method"]
            and e["path"] == failed["path"]]


def _next(entries, failed, count=3):
    """What came after a failed call, for a message."""
    later = [e for e in entries if e["seq"] > failed["seq"]]
    return seen.listing(later, count) if later else "nothing"


@check("robustness.backoff-429", "Backs off on 429 for as long as Retry-After says",
       "API rate limits: a 429 carries Retry-After; wait that long before trying again",
       depends_on=USE_CASE_CHECKS)
def backoff_429(ctx):
    """Pass (journal): for each claimed use case, one 429 on its main call (Retry-After 2 s on the
    first, 1 s on the others) is followed, no sooner than Retry-After says (the journal's times), by
    the same method and path answered 2xx, and the use case completes. Fail: never retried, retried
    too soon, or the use case failing. Nothing to judge: a use case that made no such call."""
    customer, targets = _targets(ctx)
    for number, (use_case, (method, path)) in enumerate(targets):
        wait = LONG_RETRY_AFTER if number == 0 else RETRY_AFTER
        rule = f"kit-429-{use_case}"
        mark = ctx.journal()[-1]["seq"]
        _fault(ctx, rule, method, path, {"preset": "rateLimited", "headers": {"Retry-After": str(wait)}}, times=1)
        outcome = ctx.use_case(use_case, customer)
        entries = _after(ctx, mark)
        fired = _fired(entries, rule)
        if not fired:
            raise NothingToJudge(f"{use_case} made no {method} {path} call, so the kit had no call to answer "
                                 f"with 429 ({use_case}: {outcome.outcome})")
        failed = fired[0]
        retries = _retries(entries, failed)
        if not retries:
            raise CheckFailed(f"after the 429 on {failed['method']} {failed['path']} (#{failed['seq']}) the call "
                              f"was never tried again; what came next: {_next(entries, failed)} "
                              f"({use_case}: {outcome.outcome})")
        waited = retries[0]["at"] - failed["at"]
        ctx.note(f"{use_case}: 429 at #{failed['seq']} (Retry-After {wait} s); tried again {waited:.2f} s later")
        if waited < wait - 0.05:
            raise CheckFailed(f"{use_case}: tried again {waited:.2f} s after a 429 that said Retry-After: {wait}; "
                              "wait at least as long as Retry-After says")
        if not any(seen.ok(e) for e in retries) or not outcome.ok:
            raise CheckFailed(f"{use_case} failed after one 429 ({outcome.outcome}; the call again: "
                              f"{seen.listing(retries)}): {seen.tail(outcome.output)}")


@check("robustness.retry-5xx", "Retries transient 5xx a bounded number of times, then fails clearly",
       "Reliability: a 503 that passes is retried; a 500 that does not pass ends in an error, not a loop",
       depends_on=USE_CASE_CHECKS)
def retry_5xx(ctx):
    """Pass (journal): for each claimed use case, two 503s on its main call (the first the gateway's
    HTML page, the second JSON) are each followed by the same method and path, ending in a 2xx, and
    the use case completes; then, on the first claimed use case, a lasting 500 ends in a failed
    trigger with a message after at most 6 attempts with growing delays. Fail: a 503 not retried (which call, and what came next), a
    swallowed error (success reported without the call succeeding), a retry loop, a silent failure.
    Nothing to judge: a use case that made no such call."""
    customer, targets = _targets(ctx)
    for use_case, (method, path) in targets:
        _transient(ctx, customer, use_case, method, path)
    # Giving up is the same code path for every use case (the client's retry loop) and costs the
    # whole back-off each time: judged on the first claimed use case only, to keep a run short.
    _lasting(ctx, customer, *targets[0][:1], *targets[0][1])


def _transient(ctx, customer, use_case, method, path):
    mark = ctx.journal()[-1]["seq"]
    _fault(ctx, f"kit-503-html-{use_case}", method, path, html_error(503), times=1)
    _fault(ctx, f"kit-503-{use_case}", method, path, {"preset": "serviceUnavailable"}, times=1)
    outcome = ctx.use_case(use_case, customer)
    entries = _after(ctx, mark)
    fired = sorted(_fired(entries, f"kit-503-html-{use_case}") + _fired(entries, f"kit-503-{use_case}"),
                   key=lambda e: e["seq"])
    for rule in (f"kit-503-html-{use_case}", f"kit-503-{use_case}"):
        ctx.remove_fault(rule)
    if not fired:
        raise NothingToJudge(f"{use_case} made no {method} {path} call, so the kit had no call to answer with 503 "
                             f"({use_case}: {outcome.outcome})")
    for failed in fired:
        retries = _retries(entries, failed)
        if any(seen.ok(e) for e in retries):
            continue
        call = f"{failed['method']} {failed['path']} (#{failed['seq']})"
        if outcome.ok:
            raise CheckFailed(f"the 503 on {call} was not retried (the same call never got a 2xx; what came next: "
                              f"{_next(entries, failed)}), yet {use_case} reported success ({outcome.outcome}): "
                              "a swallowed error; retry a transient 5xx, or fail and say why")
        if not retries:
            raise CheckFailed(f"two 503s in a row made {use_case} fail ({outcome.outcome}) without retrying "
                              f"{call} (what came next: {_next(entries, failed)}); retry transient errors: "
                              f"{seen.tail(outcome.output)}")
        _failed_clearly(use_case, outcome, [failed] + retries, "two 503s")
        ctx.note(f"two 503s on {path}: {use_case} failed clearly after {len(retries) + 1} attempts")
        return
    ctx.note(f"two 503s on {path} (an HTML page, then JSON): {use_case} retried each and completed")
    if not outcome.ok:
        raise CheckFailed(f"{use_case} retried the 503s but then failed ({outcome.outcome}): {seen.tail(outcome.output)}")


def _lasting(ctx, customer, use_case, method, path):
    rule = f"kit-500-{use_case}"
    mark = ctx.journal()[-1]["seq"]
    _fault(ctx, rule, method, path, {"preset": "internalServerError"})
    outcome = ctx.use_case(use_case, customer)
    fired = _fired(_after(ctx, mark), rule)
    ctx.remove_fault(rule)
    ctx.note(f"{use_case}: a 500 that never passes: {len(fired)} attempt(s), then {outcome.outcome}")
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
    first = fired[0] if fired else None
    attempts = [first] + _retries(fired, first) if first else []
    _failed_clearly(use_case, outcome, attempts, "a lasting 500")


def _failed_clearly(use_case, outcome, attempts, what):
    """A failure after retries: a message, and delays that grow (not a tight or constant loop)."""
    if not outcome.output.strip():
        raise CheckFailed(f"{use_case} failed on {what} without saying why (no output)")
    delays = [later["at"] - earlier["at"] for earlier, later in zip(attempts, attempts[1:])]
    if len(delays) >= 2 and max(delays) < 1.2 * min(delays):
        shown = ", ".join(f"{d:.2f}" for d in delays)
        raise CheckFailed(f"{use_case} retried {what} at a constant pace (delays {shown} s); let the delay grow "
                          "between attempts (exponential back-off)")


@check("robustness.rate-ceiling", "Stays under the documented rate ceiling",
       "API rate limits: 833 calls per 5 minutes and 10,000 per hour per client (Trustpilot API reference)",
       severity="recommended", depends_on=USE_CASE_CHECKS)
def rate_ceiling(ctx):
    """Pass (journal): every claimed use case run with the documented ceiling on, and no call refused
    by it. Fail: a call answered 429 by the ceiling."""
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
