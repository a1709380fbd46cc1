"""The reference integration with exactly one behaviour broken: ``python -m broken_reference ...``.

``BROKEN_VARIANT`` names the break (a key of VARIANTS); every other step is the reference's own.
tests/test_conformance_variants.py runs the kit on each variant and expects exactly the check that
guards that behaviour to fail. A break only replaces attributes of the package
(``--replaced-steps`` lists them), so the checks that never call a replaced step behave as with the
reference; ``REFERENCE_TRACE`` records which steps each check calls (tests/reference_trace.py). The reference integration calls its steps through the
package, so replacing one attribute of ``reference_integration`` changes what every caller runs.
"""

import os
import sys
import time

import reference_integration as ri
from reference_integration import transport

ORIGINAL = {name: getattr(ri, name) for name in dir(ri) if not name.startswith("_")}


def token_per_call():
    """auth.partner-token: a new password grant for every call instead of reusing the stored token."""
    ri.partner_token = lambda: ri.request_partner_token()


def search_not_find():
    """onboarding.find-by-domain: looks the customer up with search instead of find-by-domain."""
    def find_business_unit(domain):
        response = ri.send_with_retries("GET", ri.api_url("/v1/business-units/search", query=domain),
                                        ri.partner_key_headers())
        return ri.checked(response, f"search for {domain!r}", 200)["businessUnits"][0]
    ri.find_business_unit = find_business_unit


def skips_eligibility_check():
    """onboarding.eligibility-first: asks for the key straight away (the key route still refuses
    an ineligible customer with 200, which the integration reports as usual)."""
    ri.check_eligibility = lambda business_unit_id: []


def unhelpful_refusal():
    """onboarding.ineligible: tells an ineligible customer nothing they can act on."""
    ri.not_eligible_message = lambda who, reasons: f"{who}: onboarding did not work, sorry."


def swallows_key_errors():
    """onboarding.key-errors: a failed key creation is reported as success."""
    def create_customer_key(business_unit_id):
        try:
            return ORIGINAL["create_customer_key"](business_unit_id)
        except ri.IntegrationError:
            return {"apiKey": "pending", "apiSecret": "pending"}
    ri.create_customer_key = create_customer_key


def exchanges_code_twice():
    """consent.authorization-code: sends the authorization code to the token endpoint twice."""
    def exchange_code(business_unit_id, code, redirect_uri):
        ORIGINAL["exchange_code"](business_unit_id, code, redirect_uri)
        customer = ri.stored_customer(business_unit_id)
        ri.token_request(transport_token_path(), customer["apiKey"], customer["apiSecret"],
                         {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
    ri.exchange_code = exchange_code


def accepts_any_state():
    """consent.state: takes the newest unused sign-in whatever state the callback carries."""
    def verify_state(state):
        with ri.transaction() as data:
            unused = [entry for entry in data["consentStates"].values() if not entry["usedAt"]]
            if not unused:
                raise ri.ConsentRejected("no sign-in is pending")
            entry = max(unused, key=lambda e: e["createdAt"])
            entry["usedAt"] = entry["createdAt"] + 1
            return dict(entry)
    ri.verify_state = verify_state


def no_partner_header():
    """calls.partner-id-header: customer calls carry the token but not the partner id header."""
    def customer_headers(business_unit_id):
        headers = ORIGINAL["customer_headers"](business_unit_id)
        return {k: v for k, v in headers.items() if k.lower() != "x-partner-id"}
    ri.customer_headers = customer_headers


def reconsent_instead_of_refresh():
    """tokens.refresh: an expired customer token sends the customer through consent again."""
    def refresh_customer_token(business_unit_id):
        raise ri.IntegrationError(f"the connection of {business_unit_id} expired: the customer must connect again")
    ri.refresh_customer_token = refresh_customer_token


def retries_two_factor():
    """auth.two-factor: keeps asking for the partner token when it is refused."""
    def request_partner_token():
        for _ in range(5):
            try:
                return ORIGINAL["request_partner_token"]()
            except ri.IntegrationError:
                continue
        raise ri.IntegrationError("could not get a partner token")
    ri.request_partner_token = request_partner_token


def first_page_only():
    """usecase.ingestion: reads the first page of reviews and of locations, and stops."""
    def read_all_pages(fetch_page, key):
        return list((fetch_page(1) or {}).get(key) or [])
    ri.read_all_pages = read_all_pages


def replies_to_newest():
    """usecase.reply: replies to the newest review, not the one it was asked to."""
    def reply(business_unit_id, review_id, message):
        response = ri.send_with_retries("GET", ri.api_url(f"/v1/business-units/{business_unit_id}/reviews",
                                                          perPage=1), ri.partner_key_headers())
        return ORIGINAL["reply"](business_unit_id, response.json()["reviews"][0]["id"], message)
    ri.reply = reply


def drops_order_reference():
    """usecase.invite: invites the customer but not with the order's reference."""
    ri.invite = lambda business_unit_id, email, name, reference: ORIGINAL["invite"](
        business_unit_id, email, name, "no-reference")


def showcase_without_score():
    """usecase.showcase: shows reviews but never reads the TrustScore."""
    def showcase(business_unit_id):
        response = ri.send_with_retries("GET", ri.api_url(f"/v1/business-units/{business_unit_id}/reviews",
                                                          perPage=3), ri.partner_key_headers())
        print(f"{len(ri.checked(response, 'read reviews', 200)['reviews'])} latest reviews")
        return 0
    ri.showcase = showcase


def ignores_retry_after():
    """robustness.backoff-429: tries again at once after a 429."""
    def send_with_retries(method, url, headers=None, body=None):
        for _ in range(3):
            response = ri.send_once(method, url, headers or {}, body)
            if response.status != 429:
                break
        return response if response.status not in transport.SERVER_ERRORS else \
            ORIGINAL["send_with_retries"](method, url, headers, body)
    ri.send_with_retries = send_with_retries


def no_retry_on_5xx():
    """robustness.retry-5xx: gives up on the first 5xx."""
    def send_with_retries(method, url, headers=None, body=None):
        response = ri.send_once(method, url, headers or {}, body)
        if response.status in transport.SERVER_ERRORS:
            raise ri.IntegrationError(f"Trustpilot answered HTTP {response.status}")
        if response.status == 429:  # still backs off on 429 as the reference does
            time.sleep(transport._retry_after(response))
            return ORIGINAL["send_with_retries"](method, url, headers, body)
        return response
    ri.send_with_retries = send_with_retries


def one_review_per_call():
    """robustness.rate-ceiling: ingests reviews one per request (perPage=1)."""
    original = ri.api_url

    def api_url(path, **query):
        if path.endswith("/reviews") and "perPage" in query:
            query["perPage"] = 1
        return original(path, **query)
    ri.api_url = api_url


def prints_token():
    """security.no-secrets: logs the customer's access token while debugging."""
    def customer_headers(business_unit_id):
        headers = ORIGINAL["customer_headers"](business_unit_id)
        print(f"debug: calling Trustpilot with {headers['Authorization']}", file=sys.stderr)
        return headers
    ri.customer_headers = customer_headers


def remembers_one_customer():
    """program.beta-rehearsal: keeps only the last onboarded customer (a single-tenant store)."""
    def save_customer(business_unit_id, record):
        with ri.transaction() as data:
            data["customers"] = {k: v for k, v in data["customers"].items() if k == business_unit_id}
        return ORIGINAL["save_customer"](business_unit_id, record)
    ri.save_customer = save_customer


def password_in_refusal():
    """security.no-secrets, on an error path only: a refused password grant prints the password."""
    def request_partner_token():
        try:
            return ORIGINAL["request_partner_token"]()
        except ri.IntegrationError:
            print(f"debug: the password grant was refused for password {ri.env('TRUSTPILOT_PASSWORD')}",
                  file=sys.stderr)  # printed past the reference's own redaction
            raise
    ri.request_partner_token = request_partner_token


def search_by_display_name():
    """onboarding.find-by-domain: looks the business unit up by a display name made from the domain
    ('bright-shop.example' -> 'Bright Shop'), not by the domain the customer entered."""
    def find_business_unit(domain):
        name = domain.split(".")[0].replace("-", " ").title()
        response = ri.send_with_retries("GET", ri.api_url("/v1/business-units/find", name=name),
                                        ri.partner_key_headers())
        return ri.checked(response, f"look up {name!r}", 200)
    ri.find_business_unit = find_business_unit


def key_after_200():
    """onboarding.ineligible: asks for the key even when the eligibility check answered 200 (the key
    route then refuses with 200 too, and the integration still tells the customer what to do)."""
    def check_eligibility(business_unit_id):
        ORIGINAL["check_eligibility"](business_unit_id)  # a 403 or 404 still stops it
        return []
    ri.check_eligibility = check_eligibility


def rekeys_every_onboard():
    """onboarding.one-key-per-customer: creates a new customer key on every onboarding, even for a
    customer that already has one (and is connected)."""
    def onboard(domain):
        unit = ri.find_business_unit(domain)
        reasons = ri.check_eligibility(unit["id"])
        if reasons:
            raise ri.IntegrationError(ri.not_eligible_message(domain, reasons))
        key = ri.create_customer_key(unit["id"])
        ri.save_customer(unit["id"], {"domain": domain, "displayName": unit.get("displayName") or domain,
                                      "apiKey": key["apiKey"], "apiSecret": key["apiSecret"], "token": None,
                                      "onboardedAt": time.time()})
        return f"Onboarded {domain} with a new key."
    ri.onboard = onboard


def client_credentials_consent():
    """consent.authorization-code: "connects" the customer with grant_type=client_credentials and the
    customer's key and secret instead of sending them to the Trustpilot login page."""
    def consent_redirect(business_unit_id, port):
        customer = ri.stored_customer(business_unit_id)
        response = ri.token_request(transport_token_path(), customer["apiKey"], customer["apiSecret"],
                                    {"grant_type": "client_credentials"})
        if response.status == 200:
            ri.store_customer_token(business_unit_id, response.json())
        return f"http://127.0.0.1:{port}/"
    ri.consent_redirect = consent_redirect


def unregistered_redirect_uri():
    """consent.authorization-code: sends the customer to the login page with a redirect URI that is
    not the registered one (/oauth/callback instead of /trustpilot/callback)."""
    ri.redirect_uri = lambda port: f"http://127.0.0.1:{port}/oauth/callback"


def showcase_swallows_503():
    """robustness.retry-5xx: showcase shows what it can and exits 0 when Trustpilot answers 5xx, with
    no retry (it still waits out a 429, as the reference does)."""
    def fetch(url):
        while True:
            response = ri.send_once("GET", url, ri.partner_key_headers())
            if response.status != 429:
                return response.json() if response.status == 200 else None
            time.sleep(transport._retry_after(response))

    def showcase(business_unit_id):
        unit = fetch(ri.api_url(f"/v1/business-units/{business_unit_id}")) or {}
        latest = fetch(ri.api_url(f"/v1/business-units/{business_unit_id}/reviews", perPage=3)) or {}
        return (f"{unit.get('displayName', business_unit_id)}: TrustScore "
                f"{(unit.get('score') or {}).get('trustScore', 'unavailable')}, "
                f"{len(latest.get('reviews') or [])} latest reviews")
    ri.showcase = showcase


def drops_last_location_page():
    """usecase.ingestion (seen only through the results probe): reads every location page but keeps
    only the first 400 locations, as an off-by-one in the code that stores them."""
    def read_all_locations(business_unit_id):
        locations = ORIGINAL["read_all_locations"](business_unit_id)
        return locations[:400]
    ri.read_all_locations = read_all_locations


def secret_in_query():
    """security.no-secrets (the journal): sends the API secret in the token request's URL as well
    (client_secret=...), where proxies and server logs keep it."""
    def api_url(path, **query):
        if path.endswith("/accesstoken"):
            query["client_secret"] = ri.env("TRUSTPILOT_API_SECRET")
        return ORIGINAL["api_url"](path, **query)
    ri.api_url = api_url


def crashes_on_emoji():
    """usecase.showcase (Starry Shop): stores what it shows in a 3-byte 'utf8' column, as MySQL's
    utf8 does, and crashes on a character outside the Basic Multilingual Plane (an emoji)."""
    def showcase(business_unit_id):
        shown = ORIGINAL["showcase"](business_unit_id)
        if any(ord(character) > 0xFFFF for character in shown):
            raise ValueError("Incorrect string value for column 'title'")
        return shown
    ri.showcase = showcase


def crashes_on_long_text():
    """usecase.ingestion (Starry Shop): stores review texts in a VARCHAR(1000) column, as a strict
    SQL mode does, and crashes on a review text over 1,000 characters."""
    def read_all_reviews(business_unit_id):
        reviews = ORIGINAL["read_all_reviews"](business_unit_id)
        if any(len(review.get("text") or "") > 1000 for review in reviews):
            raise ValueError("Data too long for column 'text' at row 1")
        return reviews
    ri.read_all_reviews = read_all_reviews


def never_renews_partner_token():
    """Only in a schedule the fixed catalog lacks (found by the explorer's clock jump): keeps its
    partner token for good, trusting its own clock, so the API's 401 after the token's 100 hours
    (before another customer's onboarding) is an error."""
    ri.partner_call = lambda method, url: ri.send_with_retries(
        method, url, {"Authorization": f"Bearer {ri.partner_token()}"})


def drops_page_at_multiple_of_200():
    """usecase.ingestion, only in a world the fixed catalog lacks (found by the explorer): an
    off-by-one that drops the last location page when the count is an exact multiple of 200."""
    def read_all_locations(business_unit_id):
        locations = ORIGINAL["read_all_locations"](business_unit_id)
        return locations[:-200] if locations and len(locations) % 200 == 0 else locations
    ri.read_all_locations = read_all_locations


def invite_without_reference():
    """Not broken: an invite command that takes no order reference (makes one up), as an integration
    whose invitations are not tied to orders. usecase.invite finds the invitation by recipient."""
    if sys.argv[1:2] == ["invite"] and len(sys.argv) == 5:
        sys.argv.append(f"auto-{int(time.time())}")


def transport_token_path():
    from reference_integration.tokens import TOKEN_PATH
    return TOKEN_PATH


VARIANTS = {f.__name__: f for f in (
    token_per_call, search_not_find, skips_eligibility_check, unhelpful_refusal, swallows_key_errors,
    exchanges_code_twice, accepts_any_state, no_partner_header, reconsent_instead_of_refresh, retries_two_factor,
    first_page_only, replies_to_newest, drops_order_reference, showcase_without_score, ignores_retry_after,
    no_retry_on_5xx, one_review_per_call, prints_token, remembers_one_customer, password_in_refusal,
    search_by_display_name, key_after_200, rekeys_every_onboard, client_credentials_consent,
    unregistered_redirect_uri, showcase_swallows_503, invite_without_reference, drops_last_location_page,
    secret_in_query, crashes_on_emoji, crashes_on_long_text, never_renews_partner_token,
    drops_page_at_multiple_of_200)}

def replaced_steps():
    """The package's attributes the applied variant replaced: all that its break can change."""
    return sorted(name for name, value in ORIGINAL.items() if getattr(ri, name) is not value)


def trace_steps(path):
    """Append '<data folder>\t<step>' to ``path`` at every call of a step of the package, so that a
    traced run shows which steps each check made the integration take (tests/reference_trace.py)."""
    folder = os.environ.get("REFERENCE_INTEGRATION_DATA", "")

    def traced(name, step):
        def call(*args, **kwargs):
            with open(path, "a", encoding="utf-8") as trace:
                trace.write(f"{folder}\t{name}\n")
            return step(*args, **kwargs)
        return call

    for name, value in ORIGINAL.items():
        if callable(value) and not isinstance(value, type) and name != "main":
            setattr(ri, name, traced(name, getattr(ri, name)))


if __name__ == "__main__":
    variant = os.environ.get("BROKEN_VARIANT")  # unset: the reference itself (a traced run)
    if variant:
        VARIANTS[variant]()
    if sys.argv[1:] == ["--replaced-steps"]:
        print("\n".join(replaced_steps()))
        sys.exit(0)
    if os.environ.get("REFERENCE_TRACE"):
        trace_steps(os.environ["REFERENCE_TRACE"])
    sys.exit(ri.main(sys.argv[1:]))
