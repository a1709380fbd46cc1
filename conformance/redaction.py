"""Secrets never reach a report: every secret value of the world is replaced by '***'.

The values come from the sandbox itself (``GET /_mock/secrets``: API secrets, passwords, tokens,
codes issued so far) plus the partner's credentials the kit handed the integration.
"""

REDACTED = "***"
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


class Redactor:
    def __init__(self, values):
        # Longest first, so a token that contains another secret is replaced whole.
        self.values = sorted({v for v in values if v and len(v) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    @classmethod
    def for_world(cls, sandbox, partner):
        found = [s["value"] for s in sandbox.control("GET", "/secrets")["secrets"]]
        return cls(found + [partner["apiSecret"], *(u["password"] for u in partner["users"])])

    def __call__(self, text):
        if not text:
            return text
        for value in self.values:
            text = text.replace(value, REDACTED)
        return text
