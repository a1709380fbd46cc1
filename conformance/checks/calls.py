"""Every call made with the customer's key or token carries the partner id header (step 6, note)."""

from . import seen
from .base import CheckFailed, NothingToJudge, NotApplicable, check
from .onboarding import BRIGHT

HEADER_SETTING = "partnerIdHeader"


@check("calls.partner-id-header", "The partner id header on every call with the customer key or token",
       "Step 6, note: include your Partner ID as an HTTP header in any call made with the customer API key or "
       "customer access token", depends_on=("consent.authorization-code",))
def partner_id_header(ctx):
    """Pass (journal): every API call made with the customer key or a token issued to it carries
    the partner id header with the partner's id, and there is at least one such call. Fail: a call
    without it or with another value; nothing to judge when reply or invite (which act as the
    customer) made no such call. Not applicable when only showcase or ingestion are claimed and
    made none (public data, read with the partner key)."""
    ctx.every_use_case(ctx.world.customer(BRIGHT))
    header = ctx.sandbox.state()["settings"][HEADER_SETTING]
    partner_id = ctx.world.partner["id"]
    customer_calls = seen.with_customer_credentials(ctx.journal())
    missing = [e for e in customer_calls if not e["credentials"].get("partnerIdHeader")]
    wrong = [e for e in customer_calls if e["credentials"].get("partnerIdHeader") not in (None, partner_id)]
    ctx.note(f"{len(customer_calls)} call(s) with the customer key or token; {len(missing)} without the "
             f"'{header}' header, {len(wrong)} with another value")
    _some_calls(ctx, customer_calls)
    if missing:
        raise CheckFailed(f"{len(missing)} of {len(customer_calls)} call(s) made with the customer key or token "
                          f"lack the '{header}: {partner_id}' header: {seen.listing(missing)}")
    if wrong:
        raise CheckFailed(f"{len(wrong)} call(s) send a '{header}' that is not the partner id {partner_id}: "
                          f"{seen.listing(wrong)}")


def _some_calls(ctx, customer_calls):
    if not customer_calls:
        acting = [u for u in ctx.manifest.use_cases if u in ("reply", "invite")]
        if acting:
            raise NothingToJudge(f"the claimed use cases ({', '.join(ctx.manifest.use_cases)}) made no call with the "
                                 "customer key or token, so the header could not be seen; "
                                 f"{', '.join(acting)} can only act as the customer, with the customer's token")
        raise NotApplicable(f"the claimed use cases ({', '.join(ctx.manifest.use_cases) or 'none'}) made no call "
                            "with the customer key or token")
