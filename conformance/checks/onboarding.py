"""Onboarding steps 2-5 of the program page: partner token, business unit by domain, eligibility, key."""

import re

from . import seen
from .base import CheckFailed, check
from ..faults import html_error

BRIGHT, QUIET, LOCKED, FREE = "bright-shop.example", "quiet-shop.example", "locked-shop.example", "free-shop.example"
STARRY = "starry-shop.example"  # reviews with emoji, right-to-left and combining text, a 4,000-character one
KEY_PATH = "/v1/private/partners/*/key/*"
CHECK_PATH = "/v1/private/partners/*/check/*"


@check("auth.partner-token", "Partner token by the password grant, reused across calls",
       "Step 2: generate a partner access token with grant type password (it lasts 100 hours)",
       depends_on=("onboarding.find-by-domain",))
def partner_token(ctx):
    """Pass (journal): a 2xx password grant, API calls with that partner token, and fewer token
    requests than calls over two onboardings. Fail: no password grant, no call with the token, or a
    token per call."""
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
    """Pass (journal): GET /v1/business-units/find with name=<the customer's domain> before any key
    request, and onboarding completing. Fail: no find call (the names searched for elsewhere are
    named), find with another name (the name searched for vs the domain), or a key first."""
    customer = ctx.world.customer(BRIGHT)
    outcome = ctx.onboard(customer)
    entries = ctx.journal()
    finds = seen.calls(entries, "GET", "/v1/business-units/find")
    keys = seen.calls(entries, "POST", KEY_PATH)
    if not finds:
        searched = _names_searched(entries)
        raise CheckFailed("the integration never called GET /v1/business-units/find?name=<domain>"
                          + (f"; it searched for {searched} instead of finding the customer's domain "
                             f"{customer.domain!r}" if searched else "")
                          + f"; requests made: {seen.listing(entries)}")
    names = [seen.field(f, "name", "query") for f in finds]
    ctx.note(f"find called with name={names}")
    if customer.domain not in names:
        raise CheckFailed(f"the business unit was looked up by the name {names[0]!r}, not by the customer's "
                          f"domain {customer.domain!r} (find was called with name={names}): look it up with "
                          "the domain the customer entered")
    if keys and keys[0]["seq"] < finds[0]["seq"]:
        raise CheckFailed("the customer key was created before the business unit was looked up by domain")
    if not outcome.ok:
        raise CheckFailed(f"onboarding {customer.domain} failed ({outcome.outcome}) after finding its business "
                          f"unit: {seen.tail(outcome.output)}")


def _names_searched(entries):
    """What the integration searched for with other endpoints: 'search?query=...' and the like."""
    found = []
    for entry in entries:
        if entry["path"].startswith("/v1/business-units/") and entry["method"] == "GET":
            found += [f"{entry['path'].rsplit('/', 1)[-1]}?{name}={value!r}" for name, value in entry.get("query") or []
                      if name in ("name", "query", "q", "domain")]
    return ", ".join(found)


# Answers of the eligibility check that do not say "eligible" (a 201): none may lead to a key.
ELIGIBILITY_REFUSALS = (
    ("403", {"status": 403, "body": {"fault": {"faultstring": "Incorrect authentication for Business Unit",
                                               "detail": {"errorcode": "access.Forbidden"}}}}),
    ("503 HTML page", html_error(503)),
)


@check("onboarding.eligibility-first", "Eligibility checked before any customer key is created",
       "Step 4: check the business unit's permissions and eligibility; step 5 only after a 201",
       depends_on=("auth.partner-token",))
def eligibility_first(ctx):
    """Pass (journal): for an eligible customer, GET .../check/<buid> answered 201 before the one key
    request; when the eligibility check answers 403 or a 5xx HTML page (a lasting fault), no key
    request follows and onboarding fails. Fail: a key without a 201 first, several keys, or a key
    request after a refused eligibility check."""
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
    _refusals_lead_to_no_key(ctx, ctx.world.customer(QUIET))


def _refusals_lead_to_no_key(ctx, customer):
    for name, response in ELIGIBILITY_REFUSALS:
        rule = f"check-{name.split()[0]}"
        ctx.sandbox.add_fault({"id": rule, "method": "GET", "path": f"/v1/private/partners/*/check/{customer.id}",
                               "response": response})
        mark = ctx.journal()[-1]["seq"]
        outcome = ctx.onboard(customer)
        later = [e for e in ctx.journal() if e["seq"] > mark]
        keys = [e for e in seen.calls(later, "POST", KEY_PATH) if e["path"].endswith("/" + customer.id)]
        ctx.remove_fault(rule)
        if keys:
            refused = _fired(later, rule)
            raise CheckFailed(f"the eligibility check of {customer.domain} answered {name} "
                              f"({seen.listing(refused[:1])}), yet the integration went on to request a customer key "
                              f"({seen.listing(keys)}): only a 201 means eligible")
        if outcome.ok:
            raise CheckFailed(f"the eligibility check of {customer.domain} answered {name}, yet onboarding reported "
                              f"success ({outcome.outcome}); it must fail and say why")
        ctx.note(f"eligibility check answered {name}: no key requested, onboarding failed ({outcome.outcome})")


def _fired(entries, rule_id):
    return [e for e in entries if (e.get("fault") or {}).get("rule") == rule_id]


@check("onboarding.one-key-per-customer", "One customer key per customer: a connected customer is not re-keyed",
       "Step 5: the key is created once per customer; a new key breaks the customer's existing connection",
       depends_on=("consent.authorization-code",))
def one_key_per_customer(ctx):
    """Pass (journal): onboarding a customer that is already onboarded and connected makes no new key
    request. Fail: a second POST .../key/<buid> for that customer."""
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    mark = ctx.journal()[-1]["seq"]
    outcome = ctx.onboard(customer)
    later = [e for e in seen.calls(ctx.journal(), "POST", KEY_PATH) if e["path"].endswith("/" + customer.id)
             and e["seq"] > mark]
    if later:
        raise CheckFailed(f"onboarding {customer.domain} again, once connected, requested a new customer key "
                          f"({seen.listing(later)}): keep the customer's key; a new one (key churn) breaks the "
                          "customer's existing connections")
    ctx.note(f"onboarding {customer.domain} again: no new key ({outcome.outcome})")


INELIGIBLE = {
    LOCKED: ({"partner_permissions": True}, re.compile(r"permission", re.I),
             "enable partner permissions (Business app > Account > Permissions)"),
    FREE: ({"plan": "standard"}, re.compile(r"plan|upgrade|paid", re.I), "upgrade to a paid plan"),
}


@check("onboarding.ineligible", "An ineligible customer is told why, gets no key, and completes once eligible",
       "Step 4: a 200 means the customer has no rights: prompt them to enable partner permissions "
       "(or upgrade); create no key", depends_on=("auth.partner-token",))
def ineligible(ctx):
    """Pass (journal): for Locked Shop and Free Shop the eligibility check answers 200 and no key
    request follows it; onboarding fails with output telling the customer what to do; once the
    customer acted, onboarding again creates the key (a 201). Fail: a key request after a 200
    (whatever the output says), onboarding reporting success, or no way forward once eligible."""
    for domain, (change, wording, advice) in INELIGIBLE.items():
        customer = ctx.world.customer(domain)
        mark = ctx.journal()[-1]["seq"] if ctx.journal() else 0
        first = ctx.onboard(customer)
        _no_key_after_200(ctx, customer, mark)
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


def _no_key_after_200(ctx, customer, mark):
    """A key request after the eligibility check answered 200 (not eligible) fails, whatever the
    integration printed. Whether a key was asked for with no check at all is eligibility-first's."""
    later = [e for e in ctx.journal() if e["seq"] > mark and e["path"].endswith("/" + customer.id)]
    refusals = [e for e in seen.calls(later, "GET", CHECK_PATH) if e["status"] == 200]
    if not refusals:
        return
    keys = [e for e in seen.calls(later, "POST", KEY_PATH) if e["seq"] > refusals[0]["seq"]]
    if keys:
        raise CheckFailed(f"the eligibility check of {customer.domain} answered 200 (not eligible) at "
                          f"#{refusals[0]['seq']}, yet the integration then requested a customer key "
                          f"({seen.listing(keys)}): after a 200, tell the customer what to do and request no key")


MAX_KEY_ATTEMPTS = 2
KEY_FAULTS = (
    (404, "partner.NotFound", "Incorrect PartnerID", re.compile(r"404|partner.?id|not found", re.I)),
    (403, "access.Forbidden", "Incorrect authentication for Business Unit",
     re.compile(r"403|forbidden|authenticat|not allowed|permission", re.I)),
)


@check("onboarding.key-errors", "Key creation errors (403, 404) surface as clear errors",
       "Step 5: 201 creates the key; 403 (authentication for the business unit) and 404 (partner id) are errors",
       depends_on=("auth.partner-token",))
def key_errors(ctx):
    """Pass (journal): with key creation answering 404, then 403, onboarding fails with output naming
    the error after at most 2 key requests. Fail: success reported, no clear error, or a retry loop."""
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
