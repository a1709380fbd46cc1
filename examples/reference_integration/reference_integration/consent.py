"""Step 6: the customer signs in at Trustpilot (authorization-code grant) and comes back to us.

The ``state`` parameter ties the callback to the sign-in we started: a fresh random value per
Connect click, stored bound to the business unit, usable once. A callback whose state we did
not issue, or issued and already saw, is refused before any token request.
"""

import secrets
import time
from urllib.parse import urlencode

import reference_integration as ri
from .config import AUTHENTICATE_URL, IntegrationError

CALLBACK_PATH = "/trustpilot/callback"
STATE_LIFETIME_SECONDS = 900      # a customer has 15 minutes to sign in
STATE_MEMORY_SECONDS = 86400      # used states are remembered a day, so that replays are recognised
START_AGAIN = "Start again from Connect Trustpilot."


class ConsentRejected(IntegrationError):
    """The callback cannot be accepted (unknown, used or expired state; an error from Trustpilot)."""


def redirect_uri(port):
    """The callback URL registered with Trustpilot (the manifest's ``redirectUri``)."""
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


def consent_redirect(business_unit_id, port):
    """The Trustpilot login URL for this customer, with a fresh state bound to its business unit."""
    customer = ri.stored_customer(business_unit_id)
    state, callback, now = secrets.token_urlsafe(24), ri.redirect_uri(port), time.time()
    with ri.transaction() as data:
        pending = data["consentStates"]
        for old in [s for s, entry in pending.items() if now - entry["createdAt"] > STATE_MEMORY_SECONDS]:
            del pending[old]
        pending[state] = {"businessUnitId": business_unit_id, "redirectUri": callback, "createdAt": now,
                          "usedAt": None}
    login = ri.env(AUTHENTICATE_URL)
    query = urlencode({"client_id": customer["apiKey"], "redirect_uri": callback, "response_type": "code",
                       "state": state})
    return f"{login}{'&' if '?' in login else '?'}{query}"


def verify_state(state):
    """The pending sign-in of this state, marked used in the same locked step, so that a replayed or
    concurrent callback is refused; raises ConsentRejected for an unknown, used or expired state."""
    with ri.transaction() as data:
        entry = data["consentStates"].get(state or "")
        if entry is None:
            raise ConsentRejected(f"This sign-in was not started here (unknown state). {START_AGAIN}")
        if entry["usedAt"]:
            raise ConsentRejected(f"This sign-in was already completed (the state was used). {START_AGAIN}")
        if time.time() - entry["createdAt"] > STATE_LIFETIME_SECONDS:
            raise ConsentRejected(f"This sign-in took too long (the state expired). {START_AGAIN}")
        entry["usedAt"] = time.time()
        return dict(entry)


def complete_consent(query):
    """The callback: refuse errors and bad states, exchange the code once, store the customer's
    tokens. Returns the business unit id that is now connected."""
    if query.get("error"):
        reason = query.get("error_description") or query["error"]
        raise ConsentRejected(f"The Trustpilot sign-in did not complete: {reason}. {START_AGAIN}")
    pending = ri.verify_state(query.get("state"))
    if not query.get("code"):
        raise ConsentRejected(f"Trustpilot sent no authorization code. {START_AGAIN}")
    ri.exchange_code(pending["businessUnitId"], query["code"], pending["redirectUri"])
    return pending["businessUnitId"]
