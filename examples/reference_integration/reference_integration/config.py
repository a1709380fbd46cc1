"""Configuration (only the environment variables the manifest names), the one error type, and redaction."""

import os
import re

import reference_integration as ri

# The names are fixed by trustpilot-conformance.yaml's `environment:` section.
API_BASE_URL = "TRUSTPILOT_API_BASE_URL"              # e.g. https://api.trustpilot.com (no /v1)
AUTHENTICATE_URL = "TRUSTPILOT_AUTHENTICATE_URL"      # the login page, e.g. https://authenticate.trustpilot.com
INVITATIONS_BASE_URL = "TRUSTPILOT_INVITATIONS_BASE_URL"  # e.g. https://invitations-api.trustpilot.com
PARTNER_ID = "TRUSTPILOT_PARTNER_ID"                  # step 1: issued by the Partner Manager
API_KEY = "TRUSTPILOT_API_KEY"                        # step 1: the partner API key ...
API_SECRET = "TRUSTPILOT_API_SECRET"                  # ... and its secret
USERNAME = "TRUSTPILOT_USERNAME"                      # step 1: the partner's integration business user
PASSWORD = "TRUSTPILOT_PASSWORD"
DATA = "REFERENCE_INTEGRATION_DATA"                   # the folder that holds all our state

SECRET_VARIABLES = (API_KEY, API_SECRET, PASSWORD)
# Trustpilot's access and refresh tokens look like tpa-... and tpr-...: never let one out.
TOKEN_PATTERN = re.compile(r"\btp[ar]-[A-Za-z0-9]+")


class IntegrationError(Exception):
    """A failure someone can act on; main() prints it as one redacted line and exits 1."""


def env(name):
    """The value of one configuration variable, or an error naming the missing variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise IntegrationError(f"the environment variable {name} is not set")
    return value


def redact(text):
    """``text`` with every credential we know replaced by ***: a last line of defence, since no
    message is meant to contain one (the conformance kit scans all output for them)."""
    known = [os.environ.get(name, "") for name in SECRET_VARIABLES]
    try:
        known += _stored_secrets(ri.read_state())
    except (IntegrationError, OSError, ValueError):
        pass  # no data folder yet: nothing stored to hide
    for secret in sorted(filter(lambda s: len(s) >= 4, known), key=len, reverse=True):
        text = text.replace(secret, "***")
    return TOKEN_PATTERN.sub("***", text)


def _stored_secrets(state):
    tokens = [state.get("partnerToken") or {}]
    secrets = []
    for customer in state.get("customers", {}).values():
        secrets += [customer.get("apiKey") or "", customer.get("apiSecret") or ""]
        tokens.append(customer.get("token") or {})
    for token in tokens:
        secrets += [token.get("accessToken") or "", token.get("refreshToken") or ""]
    return secrets
