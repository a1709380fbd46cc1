"""OAuth with Trustpilot: the partner token (step 2) and the customer's tokens (step 6).

Both token endpoints take the client's key and secret as HTTP Basic auth and a form body.
Access tokens last 100 hours; we keep them in the data folder and reuse them across commands.
"""

import base64
import time
from urllib.parse import urlencode

import reference_integration as ri
from .api import PARTNER_ID_HEADER
from .config import API_KEY, API_SECRET, PARTNER_ID, PASSWORD, USERNAME, IntegrationError

TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
REFRESH_PATH = "/v1/oauth/oauth-business-users-for-applications/refresh"
EXPIRY_MARGIN_SECONDS = 60   # renew a little early rather than send a token about to lapse
TWO_FACTOR_HINTS = ("2-step", "two-step", "two-factor", "2fa")


def token_request(path, key, secret, form, headers=None):
    """POST one grant to a token endpoint with Basic client authentication; returns the Response."""
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded",
               **(headers or {})}
    return ri.send_with_retries("POST", ri.api_url(path), headers, urlencode(form).encode())


def _stored(body, previous=None):
    """A token response as we keep it; a refresh that returns no new refresh token keeps the old one."""
    return {"accessToken": body["access_token"],
            "refreshToken": body.get("refresh_token") or (previous or {}).get("refreshToken"),
            "expiresAt": time.time() + int(body.get("expires_in", 0)) - EXPIRY_MARGIN_SECONDS}


# -- step 2: the partner access token -------------------------------------------------------
def partner_token():
    """The partner access token: the stored one while it lasts, else a new one (password grant)."""
    token = ri.read_state()["partnerToken"]
    if token and token["expiresAt"] > time.time():
        return token["accessToken"]
    return ri.request_partner_token()


def request_partner_token():
    """The password grant with the partner key and the integration user; stored for reuse.
    A user with 2-step verification cannot get a token this way: say so, and never retry."""
    response = ri.token_request(TOKEN_PATH, ri.env(API_KEY), ri.env(API_SECRET), {
        "grant_type": "password", "username": ri.env(USERNAME), "password": ri.env(PASSWORD)})
    if response.status == 200:
        return _save_partner_token(response.json())
    reason = ri.describe_error(response)
    if any(hint in reason.lower() for hint in TWO_FACTOR_HINTS):
        raise IntegrationError(
            f"Trustpilot refused the partner access token because the integration user ({USERNAME}) has "
            "2-step verification enabled: disable 2-step verification for that business user in the "
            "Trustpilot Business app (the password grant does not work with it), then run the command again")
    raise IntegrationError(f"Trustpilot refused the partner access token (password grant, HTTP {response.status}: "
                           f"{reason}); check {API_KEY}, {API_SECRET}, {USERNAME} and {PASSWORD}")


def renew_partner_token():
    """A stored partner token was refused: refresh it (new access and refresh tokens), or, when the
    refresh token is no good either, run the password grant again."""
    previous = ri.read_state()["partnerToken"] or {}
    if previous.get("refreshToken"):
        response = ri.token_request(REFRESH_PATH, ri.env(API_KEY), ri.env(API_SECRET), {
            "grant_type": "refresh_token", "refresh_token": previous["refreshToken"]})
        if response.status == 200:
            return _save_partner_token(response.json(), previous)
    return ri.request_partner_token()


def _save_partner_token(body, previous=None):
    with ri.transaction() as state:
        state["partnerToken"] = _stored(body, previous)
    return body["access_token"]


# -- step 6: the customer's tokens ----------------------------------------------------------
def _customer_token_request(business_unit_id, path, form):
    customer = ri.stored_customer(business_unit_id)
    return ri.token_request(path, customer["apiKey"], customer["apiSecret"], form,
                            {PARTNER_ID_HEADER: ri.env(PARTNER_ID)})


def exchange_code(business_unit_id, code, redirect_uri):
    """The authorization_code grant with the customer's key and secret and the same redirect URI
    as at the login page; the customer's tokens are stored."""
    response = _customer_token_request(business_unit_id, TOKEN_PATH, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
    ri.store_customer_token(business_unit_id, ri.checked(response, "exchange the authorization code", 200))


def refresh_customer_token(business_unit_id):
    """The refresh_token grant with the customer's key and secret; the new tokens are stored."""
    token = ri.stored_customer(business_unit_id).get("token") or {}
    if not token.get("refreshToken"):
        raise IntegrationError(f"business unit {business_unit_id} has no refresh token: the customer must connect "
                               f"again at /trustpilot/connect?businessUnitId={business_unit_id}")
    response = _customer_token_request(business_unit_id, REFRESH_PATH, {
        "grant_type": "refresh_token", "refresh_token": token["refreshToken"]})
    if response.status != 200:
        raise IntegrationError(
            f"the Trustpilot connection of business unit {business_unit_id} could not be renewed (HTTP "
            f"{response.status}: {ri.describe_error(response)}); the customer must connect again at "
            f"/trustpilot/connect?businessUnitId={business_unit_id}")
    ri.store_customer_token(business_unit_id, response.json(), token)


def store_customer_token(business_unit_id, body, previous=None):
    """Keep a customer's token response (access and refresh token, expiry) with its record."""
    with ri.transaction() as state:
        state["customers"][business_unit_id]["token"] = _stored(body, previous)
