"""Token lifetimes and refusals: refresh after the 100-hour expiry; 2-step verification refused clearly."""

import re

from . import seen
from .base import CheckFailed, NotApplicable, check
from .onboarding import BRIGHT

EXPIRY_HOURS = 101  # the access token lasts 100 hours (program page, steps 2 and 6)
TWO_FACTOR_WORDING = re.compile(r"2-?step|two.?(step|factor)|2fa|multi.?factor|verification", re.I)


@check("tokens.refresh", "After the 100-hour expiry the customer token is refreshed, not re-consented",
       "Step 6: the access token lasts 100 hours; after that, refresh it (the customer is not asked again). "
       "Only the sandbox's clock moves, so the integration sees the expiry as the API's 401 and must refresh then",
       depends_on=("consent.authorization-code",))
def refresh(ctx):
    """Pass (journal): after the sandbox clock moved 101 hours, a 2xx refresh_token grant, no new
    consent (login page or authorization_code), no call with the expired token after the refresh,
    and the use case completing. Fail: any of those missing. Not applicable when no claimed use
    case calls with the customer's token."""
    use_case = next((u for u in seen.CUSTOMER_TOKEN_FIRST if u in ctx.manifest.use_cases), None)
    if use_case is None:
        raise NotApplicable("no use case is claimed, so nothing calls the API with the customer's token")
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    ctx.use_case(use_case, customer)
    ctx.sandbox.advance_clock(hours=EXPIRY_HOURS)
    mark = ctx.journal()[-1]["seq"]
    ctx.note(f"the sandbox clock moved {EXPIRY_HOURS} hours forward after consent and a first {use_case}")
    outcome = ctx.use_case(use_case, customer)
    later = [e for e in ctx.journal() if e["seq"] > mark]
    customer_calls = [e for e in later if e["credentials"].get("clientKind") == "customer"
                      and (e["credentials"].get("bearer") or {}).get("userId")]
    refreshes = [e for e in seen.token_requests(later, "refresh_token") if seen.ok(e)]
    consent_again = seen.token_requests(later, "authorization_code") + seen.calls(later, None, "/authenticate")
    if consent_again:
        raise CheckFailed(f"after expiry the integration went through consent again: {seen.listing(consent_again)}; "
                          "refresh the token with grant_type=refresh_token instead")
    if not customer_calls and not refreshes:
        raise NotApplicable(f"{use_case} makes no call with the customer's token, so its expiry is not observable")
    if not outcome.ok:
        raise CheckFailed(f"after the token expired, {use_case} failed ({outcome.outcome}) instead of refreshing: "
                          f"{seen.tail(outcome.output)}")
    if not refreshes:
        raise CheckFailed(f"after the token expired no refresh_token grant succeeded; calls: {seen.listing(later)}")
    expired_left = [e for e in customer_calls if e["seq"] > refreshes[-1]["seq"]
                    and (e["credentials"].get("bearer") or {}).get("status") != "valid"]
    if expired_left:
        raise CheckFailed(f"after refreshing, calls still used the expired token: {seen.listing(expired_left)}")
    ctx.note(f"refreshed at #{refreshes[0]['seq']}; {use_case} completed ({outcome.outcome})")


@check("auth.two-factor", "A partner user with 2-step verification gets a clear error, not a retry loop",
       "Step 2, note: the password grant does not work with 2-step verification enabled", world="two-factor",
       depends_on=("onboarding.find-by-domain",))
def two_factor(ctx):
    """Pass (journal): at most 2 password-grant requests, onboarding failing with output that names
    2-step verification. Fail: success reported, a retry loop, or no clear reason."""
    outcome = ctx.onboard(ctx.world.customer(BRIGHT))
    grants = seen.token_requests(ctx.journal(), "password")
    ctx.note(f"onboarding: {outcome.outcome} after {len(grants)} password-grant attempt(s)")
    if outcome.ok:
        raise CheckFailed("onboarding reported success although the partner user has 2-step verification and no "
                          "token could be issued")
    if len(grants) > 2:
        raise CheckFailed(f"the refused password grant was retried {len(grants)} times; a 2-step verification "
                          "refusal does not go away by retrying")
    if not TWO_FACTOR_WORDING.search(outcome.output):
        raise CheckFailed("onboarding failed without saying that 2-step verification must be turned off for the "
                          f"integration's user; output: {seen.tail(outcome.output)}")
