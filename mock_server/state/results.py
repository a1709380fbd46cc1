"""What operations return when the answer is more than one JSON object: plain domain results.
The HTTP layer (web/responses.py) turns them into statuses, bodies and links."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page of a list: its ``items`` (JSON objects), whether a next page exists, and for lists
    paged by token or cursor what the next page starts from (None on the last page)."""

    items: list
    has_next: bool
    next_token: str | None = None


@dataclass(frozen=True)
class Eligibility:
    """A partner's eligibility for a business unit; ``reasons`` say why not (empty: eligible)."""

    partner_id: str
    business_unit_id: str
    reasons: list

    @property
    def eligible(self):
        return not self.reasons


@dataclass(frozen=True)
class CustomerKey:
    """A customer API key a partner created for a business unit (``created_at``: ISO-8601)."""

    partner_id: str
    business_unit_id: str
    api_key: str
    api_secret: str
    created_at: str
