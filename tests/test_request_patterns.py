"""The request patterns the views and the invitations' body checks apply by hand are the
contract's (openapi/trustpilot.yaml): this test fails when one of the two is edited alone.

The code spells a pattern the way Python must read it: the contract's ``\\s`` is ECMA-262's
whitespace (state/text.py), ``\\d`` may be written ``[0-9]``, and anchors depend on whether the
code uses fullmatch or search. Those spellings are put back before comparing."""

import re

import pytest

from mock_server.api import product_reviews, reviews, showcase
from mock_server.request_contract import SPEC_PATH, _load
from mock_server.state import invitation_requests
from mock_server.state.invitation_requests import SPACE

ALL = "/v1/business-units/all"
REPLY = "/v1/private/reviews/{reviewId}/reply"
# (the code's pattern, where the contract keeps it)
PAIRS = [
    (reviews.SUBMITTED_AT, ("paths", REPLY, "post", "requestBody", "content", "application/json", "schema",
                            "properties", "submittedAt", "pattern")),
    (product_reviews.LANGUAGE, ("components", "parameters", "ReviewLanguage", "schema", "items", "pattern")),
    (showcase.COUNTRY, ("components", "parameters", "ShowcaseCountry", "schema", "pattern")),
    (showcase.COUNTRY_LIST, ("paths", ALL, "get", "parameters", 0, "schema", "pattern")),
    (showcase.OBJECT_ID, ("paths", ALL, "get", "parameters", 3, "schema", "pattern")),
    (invitation_requests.EMAIL, ("components", "schemas", "InvitationEmail", "pattern")),
    (invitation_requests.LOCALE, ("components", "schemas", "InvitationLocale", "pattern")),
    (invitation_requests.URL, ("components", "schemas", "InvitationUrl", "pattern")),
]


def contract_pattern(where):
    node = _load(SPEC_PATH)
    for key in where:
        node = node[key]
    return node


def canonical(pattern):
    """The pattern in the contract's spelling, unanchored."""
    pattern = pattern.replace(f"[^@{SPACE}]", r"[^@\s]").replace(f"[^{SPACE}]", r"\S").replace("[0-9]", r"\d")
    return re.sub(r"^\^(.*)\$$", r"\1", pattern)


@pytest.mark.parametrize(("code", "where"), PAIRS, ids=[str(where[-2]) for _, where in PAIRS])
def test_hand_applied_pattern_is_the_contracts(code, where):
    assert canonical(code.pattern) == canonical(contract_pattern(where))


def test_invitation_send_time_is_the_contracts_two_forms():
    contract = canonical(contract_pattern(("components", "schemas", "InvitationSendTime", "pattern")))
    code = [canonical(p.pattern) for p in (invitation_requests.ISO_TIME, invitation_requests.US_TIME)]
    assert contract == f"({code[0]}|{code[1]})"
