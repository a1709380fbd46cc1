"""Onboarding a customer by domain: find the business unit (step 3), check eligibility (step 4),
create and store the customer's API key (step 5)."""

import time

import reference_integration as ri
from .config import PARTNER_ID, IntegrationError

PERMISSIONS_PAGE = "https://businessapp.b2b.trustpilot.com/account/permissions"


def find_business_unit(domain):
    """Step 3: the business unit of the customer's domain (its ``id`` is the BUID), by partner API key."""
    response = ri.send_with_retries("GET", ri.api_url("/v1/business-units/find", name=domain),
                                    ri.partner_key_headers())
    if response.status == 404:
        raise IntegrationError(f"Trustpilot has no business unit for the domain {domain!r}: check the domain "
                               "the customer entered (a bare domain such as example.com)")
    return ri.checked(response, f"look up the domain {domain!r}", 200)


def _partner_route(kind, business_unit_id):
    return ri.api_url(f"/v1/private/partners/{ri.env(PARTNER_ID)}/{kind}/{business_unit_id}")


def _partner_refusal(response, what):
    """The 403 and 404 of the partner endpoints, named after what the program page says they mean."""
    meaning = {403: "incorrect authentication for the business unit (is the partner token from the partner "
                    f"with {PARTNER_ID}?)",
               404: f"incorrect partner id ({PARTNER_ID}) or unknown business unit"}
    if response.status in meaning:
        return IntegrationError(f"could not {what}: Trustpilot answered HTTP {response.status}, "
                                f"{meaning[response.status]}: {ri.describe_error(response)}")
    return IntegrationError(f"could not {what}: Trustpilot answered HTTP {response.status}: "
                            f"{ri.describe_error(response)}")


def check_eligibility(business_unit_id):
    """Step 4: [] when the customer may use the integration (201), else Trustpilot's reasons (200)."""
    response = ri.partner_call("GET", _partner_route("check", business_unit_id))
    if response.status == 201:
        return []
    if response.status == 200:
        return (response.json() or {}).get("reasons") or ["the customer does not have rights to use this integration"]
    raise _partner_refusal(response, f"check the eligibility of business unit {business_unit_id}")


def create_customer_key(business_unit_id):
    """Step 5: a new API key and secret for this customer (201). A 200 means not eligible after all."""
    response = ri.partner_call("POST", _partner_route("key", business_unit_id))
    if response.status == 201:
        return response.json()
    if response.status == 200:
        raise IntegrationError(ri.not_eligible_message(f"business unit {business_unit_id}",
                                                       (response.json() or {}).get("reasons") or []))
    raise _partner_refusal(response, f"create the API key of business unit {business_unit_id}")


def not_eligible_message(who, reasons):
    """What to tell a customer who may not use the integration yet, from Trustpilot's reasons."""
    said = " ".join(reasons).lower()
    permissions = "permission" in said
    plan = "plan" in said or "paid" in said
    steps = []
    if permissions or not plan:
        steps.append("an admin of the Trustpilot account must turn on partner permissions in the Trustpilot "
                     f"Business app (Account > Permissions, {PERMISSIONS_PAGE}; only the Admin role can)")
    if plan or not permissions:
        steps.append("the account must upgrade to a paid Trustpilot plan (free plans cannot use partner integrations)")
    because = "; ".join(reasons) or "the customer does not have rights to use this integration"
    return f"{who} cannot use this integration yet ({because}). To fix it, {' and '.join(steps)}; then onboard again."


def onboard(domain):
    """Steps 3-5 for one customer: find, check, create and store the key. Returns what to tell them."""
    unit = ri.find_business_unit(domain)
    business_unit_id = unit["id"]
    who = f"{unit.get('displayName') or domain} ({domain}, business unit {business_unit_id})"
    reasons = ri.check_eligibility(business_unit_id)
    if reasons:
        raise IntegrationError(ri.not_eligible_message(who, reasons))
    connect = f"/trustpilot/connect?businessUnitId={business_unit_id}"
    if ri.read_state()["customers"].get(business_unit_id, {}).get("apiKey"):
        return f"{who} is already onboarded; its stored API key is kept. Connect Trustpilot at {connect}."
    key = ri.create_customer_key(business_unit_id)
    ri.save_customer(business_unit_id, {"domain": domain, "displayName": unit.get("displayName") or domain,
                                        "apiKey": key["apiKey"], "apiSecret": key["apiSecret"],
                                        "onboardedAt": time.time()})
    return (f"Onboarded {who}: its API key is created and stored. Next the customer connects Trustpilot at "
            f"{connect} on the integration's web app.")
