"""Onboarding steps 2-5 of the program page: partner token, business unit by domain, eligibility, key."""

import re

from . import seen
from .base import CheckFailed, check

BRIGHT, QUIET, LOCKED, FREE = "bright-shop.example", "quiet-shop.example", "locked-shop.example", "free-shop.example"
KEY_PATH = "/v1/private/partners/*/key/*"
CHECK_PATH = "/v1/private/partners/*/check/*"


@check("auth.partner-token", "Partner token by the password grant, reused across calls",
       "Step 2: generate a partner access token with grant type password (it lasts 100 hours)")
def partner_token(ctx):
    for domain in (BRIGHT, QUIET):
        ctx.onboarded(ctx.world.customer(domain))
    entries = ctx.journal()
    grants = seen.token_requests(entries, "password")
    calls = seen.partner_bearer_calls(entries)
    ctx.note(f"{len(grants)} password-grant token request(s); {len(calls)} API call(s) with the partner token "
             f"over 2 onboardings")
    if not any(seen.ok(g) for g in grants):
        other = seen.token_requests(entries)
        raise CheckFailed("no successful password-grant token request: the partner token must come from "
                          "grant_type=password with the partner user's credentials"
                          + (f"; token requests seen: {seen.listing(other)}" if other else ""))
    if not calls:
        raise CheckFailed("no API call carried the partner access token ('Authorization: Bearer ...'): "
                          "the partner endpoints (check, key) need it")
    if len(grants) > 2 or len(grants) >= len(calls):
        raise CheckFailed(f"the partner token is fetched again and again: {len(grants)} token requests for "
                          f"{len(calls)} calls over 2 onboardings; keep the token (it lasts 100 hours) and reuse it "
                          f"until it expires. Token requests: {seen.listing(grants)}")


@check("onboarding.find-by-domain", "Business unit found by the customer's domain",
       "Step 3: prompt the customer for their domain and look the business unit up with 'Find a business unit'")
def find_by_domain(ctx):
    customer = ctx.world.customer(BRIGHT)
    ctx.onboarded(customer)
    entries = ctx.journal()
    finds = seen.calls(entries, "GET", "/v1/business-units/find")
    keys = seen.calls(entries, "POST", KEY_PATH)
    if not finds:
        raise CheckFailed("the integration never called GET /v1/business-units/find?name=<domain>; "
                          f"requests made: {seen.listing(entries)}")
    names = [seen.field(f, "name", "query") for f in finds]
    ctx.note(f"find called with name={names}")
    if customer.domain not in names:
        raise CheckFailed(f"find was called with name={names}, not with the customer's domain {customer.domain!r}")
    if keys and keys[0]["seq"] < finds[0]["seq"]:
        raise CheckFailed("the customer key was created before the business unit was looked up by domain")


@check("onboarding.eligibility-first", "Eligibility checked before any customer key is created",
       "Step 4: check the business unit's permissions and eligibility; step 5 only after a 201")
def eligibility_first(ctx):
    customer = ctx.world.customer(BRIGHT)
    ctx.onboarded(customer)
    entries = ctx.journal()
    checks = [e for e in seen.calls(entries, "GET", CHECK_PATH) if e["path"].endswith("/" + customer.id)]
    keys = [e for e in seen.calls(entries, "POST", KEY_PATH) if e["path"].endswith("/" + customer.id)]
    if not keys or not any(seen.ok(k) for k in keys):
        raise CheckFailed(f"onboarding said it succeeded but no customer key was created for {customer.id} "
                          f"(POST /v1/private/partners/{{partnerId}}/key/{customer.id}); requests: {seen.listing(entries)}")
    ctx.note(f"eligibility check at #{checks[0]['seq'] if checks else '-'}, key creation at #{keys[0]['seq']}")
    if not checks or checks[0]["seq"] > keys[0]["seq"]:
        raise CheckFailed(f"the customer key was created (#{keys[0]['seq']}) without first checking eligibility "
                          f"(GET /v1/private/partners/{{partnerId}}/check/{customer.id} and a 201)")
    if checks[0]["status"] != 201:
        raise CheckFailed(f"the eligibility check answered {checks[0]['status']}, not 201, yet a key was created")
    if len(keys) > 1:
        raise CheckFailed(f"{len(keys)} customer keys were created for one customer: {seen.listing(keys)}")


INELIGIBLE = {
    LOCKED: ({"partner_permissions": True}, re.compile(r"permission", re.I),
             "enable partner permissions (Business app > Account > Permissions)"),
    FREE: ({"plan": "standard"}, re.compile(r"plan|upgrade|paid", re.I), "upgrade to a paid plan"),
}


@check("onboarding.ineligible", "An ineligible customer is told why, gets no key, and completes once eligible",
       "Step 4: a 200 means the customer has no rights: prompt them to enable partner permissions "
       "(or upgrade); create no key")
def ineligible(ctx):
    for domain, (change, wording, advice) in INELIGIBLE.items():
        customer = ctx.world.customer(domain)
        first = ctx.onboard(customer)
        # Whether the key was asked for before eligibility is onboarding.eligibility-first's to judge.
        keys = [a for a in ctx.sandbox.state()["applications"] if a["businessUnitId"] == customer.id]
        if keys:
            raise CheckFailed(f"{domain} is not eligible, yet a customer key exists for it")
        if first.ok:
            raise CheckFailed(f"onboarding {domain} reported success ({first.outcome}) although the customer is "
                              "not eligible; it must stop and tell the customer what to do")
        if not wording.search(first.output):
            raise CheckFailed(f"onboarding {domain} failed without telling the customer to {advice}; "
                              f"its output was: {seen.tail(first.output)}")
        ctx.note(f"{domain}: refused with {first.outcome}, told the customer to {advice}")
        ctx.sandbox.update_business_unit(customer.id, **change)
        again = ctx.onboard(customer)
        keys = [e for e in seen.calls(ctx.journal(), "POST", KEY_PATH)
                if e["path"].endswith("/" + customer.id) and e["status"] == 201]
        if not again.ok or not keys:
            raise CheckFailed(f"after the customer of {domain} acted ({advice}), onboarding again did not complete "
                              f"({again.outcome}, {len(keys)} key(s) created): {seen.tail(again.output)}")
        ctx.note(f"{domain}: onboarding completed after the customer acted (key created at #{keys[-1]['seq']})")


MAX_KEY_ATTEMPTS = 2
KEY_FAULTS = (
    (404, "partner.NotFound", "Incorrect PartnerID", re.compile(r"404|partner.?id|not found", re.I)),
    (403, "access.Forbidden", "Incorrect authentication for Business Unit",
     re.compile(r"403|forbidden|authenticat|not allowed|permission", re.I)),
)


@check("onboarding.key-errors", "Key creation errors (403, 404) surface as clear errors",
       "Step 5: 201 creates the key; 403 (authentication for the business unit) and 404 (partner id) are errors")
def key_errors(ctx):
    customer = ctx.world.customer(BRIGHT)
    for status, code, text, wording in KEY_FAULTS:
        rule = f"key-{status}"
        # Every attempt gets the error: one retry with a fresh partner token is fair (a 403 can mean
        # the token went stale), a loop is not.
        ctx.sandbox.add_fault({"id": rule, "method": "POST", "path": KEY_PATH, "response": {
            "status": status, "body": {"fault": {"faultstring": text, "detail": {"errorcode": code}}}}})
        outcome = ctx.onboard(customer)
        attempts = [e for e in seen.calls(ctx.journal(), "POST", KEY_PATH) if (e.get("fault") or {}).get("rule") == rule]
        if outcome.ok:
            raise CheckFailed(f"key creation answered {status} ({text}) but onboarding reported success "
                              f"({outcome.outcome}); it must fail and say why")
        if not wording.search(outcome.output):
            raise CheckFailed(f"key creation answered {status} ({text}) and onboarding failed without a clear "
                              f"error naming it; output: {seen.tail(outcome.output)}")
        if len(attempts) > MAX_KEY_ATTEMPTS:
            raise CheckFailed(f"key creation answered {status} and was tried {len(attempts)} times; an error that "
                              f"names the partner id or the business unit does not pass by retrying")
        ctx.note(f"{status} on key creation: onboarding failed ({outcome.outcome}) with "
                 f"{outcome.output.strip()[-160:]!r} after {len(attempts)} attempt(s)")
        ctx.remove_fault(rule)
