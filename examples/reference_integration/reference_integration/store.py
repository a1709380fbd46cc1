"""All of the integration's state, in one JSON file in $REFERENCE_INTEGRATION_DATA, changed under a lock.

The file's shape:
    partnerToken:  {accessToken, refreshToken, expiresAt}          (step 2)
    customers:     {businessUnitId: {domain, displayName, apiKey, apiSecret, onboardedAt,
                                     token: {accessToken, refreshToken, expiresAt}}}  (steps 3-6)
    consentStates: {state: {businessUnitId, redirectUri, createdAt, usedAt}}           (step 6)
``expiresAt`` is this machine's clock; Trustpilot's clock is trusted over it (a 401 refreshes).
A JSON file keeps the example readable; a real integration would use its database and encrypt
the secrets at rest.
"""

import contextlib
import json
import os

try:
    import fcntl
except ImportError:  # not POSIX: one process at a time, then
    fcntl = None

import reference_integration as ri
from .config import DATA, IntegrationError

STATE_FILE = "state.json"
LOCK_FILE = "state.lock"


def _empty():
    return {"partnerToken": None, "customers": {}, "consentStates": {}}


def _path(name):
    return os.path.join(ri.env(DATA), name)


def read_state():
    """The state as it is now (a copy: change it only inside ``transaction()``)."""
    try:
        with open(_path(STATE_FILE), encoding="utf-8") as file:
            return {**_empty(), **json.load(file)}
    except FileNotFoundError:
        return _empty()


@contextlib.contextmanager
def transaction():
    """Read, change and write the state under an exclusive lock, so that the web app's threads
    and concurrent commands never lose each other's writes. Nothing is written on an exception."""
    os.makedirs(ri.env(DATA), exist_ok=True)
    with open(_path(LOCK_FILE), "a") as lock:
        if fcntl:
            fcntl.flock(lock, fcntl.LOCK_EX)
        state = read_state()
        yield state
        temporary = _path(STATE_FILE + ".tmp")
        # 0600: the file holds customer secrets and tokens.
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w",
                       encoding="utf-8") as file:
            json.dump(state, file, indent=1)
        os.replace(temporary, _path(STATE_FILE))  # atomic: readers see the old or the new file


def stored_customer(business_unit_id):
    """The onboarded customer of this business unit, or an error saying to onboard it first."""
    customer = ri.read_state()["customers"].get(business_unit_id)
    if not customer or not customer.get("apiKey"):
        raise IntegrationError(f"business unit {business_unit_id} is not onboarded: run "
                               "`python -m reference_integration onboard DOMAIN` with the customer's domain first")
    return customer


def save_customer(business_unit_id, record):
    """Create or update one customer's record (many customers live side by side)."""
    with ri.transaction() as state:
        state["customers"].setdefault(business_unit_id, {}).update(record)
