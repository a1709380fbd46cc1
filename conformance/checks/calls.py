"""Every call made with the customer's key or token carries the partner id header (step 6, note)."""

from . import seen
from .base import CheckFailed, check
from .onboarding import BRIGHT

HEADER_SETTING = "partnerIdHeader"


@check("calls.partner-id-header", "The partner id header on every call with the customer key or token",
       "Step 6, note: include your Partner ID as an HTTP header in any call made with the customer API key or "
       "customer access token")
def partner_id_header(ctx):
    ctx.every_use_case(ctx.world.customer(BRIGHT))
    header = ctx.sandbox.state()["settings"][HEADER_SETTING]
    partner_id = ctx.world.partner["id"]
    customer_calls = seen.with_customer_credentials(ctx.journal())
    missing = [e for e in customer_calls if not e["credentials"].get("partnerIdHeader")]
    wrong = [e for e in customer_calls if e["credentials"].get("partnerIdHeader") not in (None, partner_id)]
    ctx.note(f"{len(customer_calls)} call(s) with the customer key or token; {len(missing)} without the "
             f"'{header}' header, {len(wrong)} with another value")
    if missing:
        raise CheckFailed(f"{len(missing)} of {len(customer_calls)} call(s) made with the customer key or token "
                          f"lack the '{header}: {partner_id}' header: {seen.listing(missing)}")
    if wrong:
        raise CheckFailed(f"{len(wrong)} call(s) send a '{header}' that is not the partner id {partner_id}: "
                          f"{seen.listing(wrong)}")
    if not customer_calls:
        ctx.note("the claimed use cases made no call with the customer key or token")
