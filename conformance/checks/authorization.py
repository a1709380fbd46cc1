"""Onboarding step 6: the customer's consent by the authorization-code grant, and its safety."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import seen
from .base import CheckFailed, check
from .onboarding import BRIGHT, QUIET


@check("consent.authorization-code", "Customer consent by the authorization-code grant; code exchanged once",
       "Step 6: the customer logs in on Trustpilot's form, is sent back to the registered redirect URI with a "
       "code, and the integration exchanges it for the customer's token and stores it",
       depends_on=("onboarding.eligibility-first",))
def authorization_code(ctx):
    """Pass (journal): the login page opened with the customer key as client_id and the registered
    redirect_uri; after the callback (delivered twice) exactly one 2xx authorization_code exchange
    with that redirect_uri; no other grant with the customer key; a later use case run calls with
    the stored customer token. Fail: the login page refusing the request (the redirect URI used vs
    the registered one), another grant with the customer key (client_credentials), no exchange or
    two, or the token not stored."""
    customer = ctx.world.customer(BRIGHT)
    ctx.onboarded(customer)
    keys = ctx.customer_keys(customer)
    authorization = ctx.authorize(customer)
    query = authorization.login_query
    ctx.note(f"the login page was opened with client_id={query.get('client_id')!r}, "
             f"redirect_uri={query.get('redirect_uri')!r}, response_type={query.get('response_type')!r}")
    if keys and query.get("client_id") != keys[-1]:
        raise CheckFailed(f"consent was asked with client_id={query.get('client_id')!r}, not the customer key "
                          f"created for {customer.domain} ({keys[-1]!r})")
    if query.get("redirect_uri") != ctx.integration.redirect_uri:
        raise CheckFailed(f"redirect_uri={query.get('redirect_uri')!r} is not the registered redirect URI "
                          f"{ctx.integration.redirect_uri!r}")
    status, body = ctx.deliver(authorization.callback_url)
    if status is None or status >= 400:
        raise CheckFailed(f"the integration's callback answered {status or 'nothing'} to a genuine code and "
                          f"state: {seen.tail(body)}")
    ctx.deliver(authorization.callback_url, "GET callback again (a replay: to be refused)", refusal_expected=True)
    exchanges = seen.token_requests(ctx.journal(), "authorization_code")
    ctx.note(f"{len(exchanges)} authorization_code exchange(s): {seen.listing(exchanges)}")
    if not exchanges or not seen.ok(exchanges[0]):
        raise CheckFailed("the code was not exchanged for a token (POST .../accesstoken with "
                          f"grant_type=authorization_code); token requests: {seen.listing(seen.token_requests(ctx.journal()))}")
    if len(exchanges) > 1:
        raise CheckFailed(f"the code was exchanged {len(exchanges)} times; exchange it exactly once and ignore a "
                          f"replayed callback: {seen.listing(exchanges)}")
    if seen.field(exchanges[0], "redirect_uri") != ctx.integration.redirect_uri:
        raise CheckFailed(f"the exchange sent redirect_uri={seen.field(exchanges[0], 'redirect_uri')!r}, not the "
                          f"registered {ctx.integration.redirect_uri!r}")
    _token_stored(ctx, customer)
    _no_other_grant(ctx, keys)


def _no_other_grant(ctx, keys):
    """The customer key gets the customer's token only through the customer's consent (and refreshes)."""
    other = [e for e in seen.token_requests(ctx.journal()) if seen.field(e, "grant_type") not in
             ("authorization_code", "refresh_token", "password", None)
             and (e["credentials"].get("clientKind") == "customer" or seen.field(e, "client_id") in keys)]
    if other:
        raise CheckFailed(f"the integration used grant_type={seen.field(other[0], 'grant_type')} with the customer "
                          f"key ({seen.listing(other)}); the customer's token comes only from their consent "
                          "(authorization_code) and its refresh_token")


def _token_stored(ctx, customer):
    """Stored = a later, separate run of the integration calls the API with the customer's token."""
    claimed = [u for u in seen.CUSTOMER_TOKEN_FIRST if u in ctx.manifest.use_cases]
    if not claimed:
        ctx.note("no use case claimed: whether the token is stored is not observable")
        return
    before = ctx.journal()[-1]["seq"]
    ctx.use_case(claimed[0], customer)
    later = [e for e in ctx.journal() if e["seq"] > before]
    used = [e for e in later if (e["credentials"].get("bearer") or {}).get("userId")
            and e["credentials"].get("clientKind") == "customer"]
    if not used and claimed[0] in ("reply", "invite"):
        raise CheckFailed(f"after consent, running {claimed[0]} made no call with the customer's token: it was "
                          f"not stored (calls: {seen.listing(later)})")
    ctx.note(f"{claimed[0]} afterwards made {len(used)} call(s) with the stored customer token")


@check("consent.state", "The OAuth state is generated and verified; a forged callback is refused",
       "Step 6 (OAuth 2.0 security): the callback must prove it answers the integration's own request",
       depends_on=("consent.authorization-code",))
def state(ctx):
    """Pass (journal and the callback's answers): a state of 8+ characters at the login page; the
    callback with a forged state answered 4xx with no authorization_code exchange; a fresh consent
    still works. Fail: a short or missing state, a forged callback accepted or exchanged."""
    customer = ctx.world.customer(QUIET)
    ctx.onboarded(customer)
    authorization = ctx.authorize(customer)
    issued = authorization.login_query.get("state")
    if not issued or len(issued) < 8:
        raise CheckFailed(f"consent was started with state={issued!r}: generate an unguessable state per request "
                          "(at least 8 characters) and verify it on the callback")
    forged = _with_query(authorization.callback_url, state="forged-" + issued[::-1])
    before = len(seen.token_requests(ctx.journal(), "authorization_code"))
    status, _ = ctx.deliver(forged, "GET callback with a forged state (to be refused)", refusal_expected=True)
    after = len(seen.token_requests(ctx.journal(), "authorization_code"))
    ctx.note(f"state {issued[:4]}... issued; the forged callback got {status} and {after - before} code exchange(s)")
    if after > before:
        raise CheckFailed("a callback with a forged state was accepted: the integration exchanged the code "
                          "(verify that state is the one issued for this browser before exchanging)")
    if status is not None and status < 400:
        raise CheckFailed(f"a callback with a forged state was answered {status}; refuse it with a 4xx error")
    # A fresh sign-in, not the old callback: an integration may rightly drop a state once forged against.
    fresh = ctx.authorize(customer)
    status, body = ctx.deliver(fresh.callback_url)
    if status is None or status >= 400:
        raise CheckFailed(f"after refusing the forged callback, a genuine consent was refused too ({status}): "
                          f"{seen.tail(body)}")


def _with_query(url, **changes):
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))
