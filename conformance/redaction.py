"""Secrets never reach a report: every secret value of the world is replaced by '***'.

The values come from the sandbox itself (``GET /_mock/secrets``: API secrets, passwords, tokens,
codes issued so far) plus the partner's credentials the kit handed the integration.
"""

from urllib.parse import quote

REDACTED = "***"
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


def world_secrets(sandbox, partner):
    """(kind, value) of every secret of the sandbox's world, in every form it takes on the wire:
    as given, URL-encoded, and inside HTTP Basic credentials (``GET /_mock/secrets``)."""
    found = [(s["kind"], s["value"]) for s in sandbox.control("GET", "/secrets")["secrets"]]
    found += [("apiSecret", partner["apiSecret"]), *(("password", u["password"]) for u in partner["users"])]
    encoded = [(kind, quote(value, safe="")) for kind, value in found if quote(value, safe="") != value]
    return found + encoded


class Redactor:
    def __init__(self, values):
        # Longest first, so a token that contains another secret is replaced whole.
        self.values = sorted({v for v in values if v and len(v) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def __call__(self, text):
        if not text:
            return text
        for value in self.values:
            text = text.replace(value, REDACTED)
        return text
