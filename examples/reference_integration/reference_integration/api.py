"""Where each call goes and which credentials it carries.

Three kinds of credentials, as the program page uses them:
  * the partner API key (``apikey`` header) on public endpoints: find a business unit (step 3), showcase;
  * the partner access token on the partner endpoints: eligibility and customer key (steps 4-5);
  * the customer's access token (step 6) on the customer's private data, always with the
    partner id header ("include your Partner ID as an HTTP header in any calls when using the
    customer API key or customer access token").
"""

import json
import time
from urllib.parse import urlencode

import reference_integration as ri
from .config import API_BASE_URL, API_KEY, INVITATIONS_BASE_URL, PARTNER_ID, IntegrationError

PARTNER_ID_HEADER = "x-partner-id"


def api_url(path, **query):
    """``path`` (``/v1/...``) on the Trustpilot API, with a query string when given."""
    return ri.env(API_BASE_URL).rstrip("/") + path + (f"?{urlencode(query)}" if query else "")


def invitations_url(path):
    """``path`` (``/v1/private/...``) on the Invitations API (its own host on the real Trustpilot)."""
    return ri.env(INVITATIONS_BASE_URL).rstrip("/") + path


def partner_key_headers():
    """Public endpoints: the partner API key in the header (never the query string, where it leaks)."""
    return {"apikey": ri.env(API_KEY)}


def partner_call(method, url):
    """A call with the partner access token. A stored token Trustpilot refuses (401, or 403 as the
    partner endpoints answer for an expired token) is renewed once and the call retried once."""
    response = ri.send_with_retries(method, url, {"Authorization": f"Bearer {ri.partner_token()}"})
    if response.status in (401, 403):
        response = ri.send_with_retries(method, url, {"Authorization": f"Bearer {ri.renew_partner_token()}"})
    return response


def customer_headers(business_unit_id):
    """The customer's bearer token and our partner id: what every customer call carries."""
    token = ri.stored_customer(business_unit_id).get("token")
    if not token:
        raise IntegrationError(f"business unit {business_unit_id} has not connected Trustpilot yet: the customer "
                               f"must open /trustpilot/connect?businessUnitId={business_unit_id} on the web app")
    return {"Authorization": f"Bearer {token['accessToken']}", PARTNER_ID_HEADER: ri.env(PARTNER_ID)}


def customer_call(business_unit_id, method, url, payload=None):
    """A call on the customer's behalf. An expired token (by our clock, or by Trustpilot's: a 401)
    is refreshed once and the call retried once; consent is never restarted from here."""
    token = ri.stored_customer(business_unit_id).get("token") or {}
    if token and token["expiresAt"] <= time.time():
        ri.refresh_customer_token(business_unit_id)
    body = None if payload is None else json.dumps(payload).encode()
    extra = {} if payload is None else {"Content-Type": "application/json"}
    response = ri.send_with_retries(method, url, {**ri.customer_headers(business_unit_id), **extra}, body)
    if response.status == 401:
        ri.refresh_customer_token(business_unit_id)
        response = ri.send_with_retries(method, url, {**ri.customer_headers(business_unit_id), **extra}, body)
    return response
