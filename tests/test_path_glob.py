"""The one path glob (mock_server/path_glob.py) that fault rules and journal queries share."""

import pytest

from mock_server.path_glob import glob_matches
from mock_server.state.access import Credentials
from mock_server.state.faults import RequestFacts, _matches
from mock_server.testing.journal import Expectation

CASES = [
    ("/v1/business-units/*", "/v1/business-units/507f", True),
    ("/v1/business-units/*", "/v1/business-units/507f/locations", False),  # * stays in one segment
    ("/v1/business-units/*", "/v1/business-units/", True),  # * may be empty
    ("/v1/**/locations", "/v1/business-units/507f/locations", True),
    ("/v1/**", "/v1/a/b/c", True),
    ("/**", "/", True),
    ("/v1/reviews/?", "/v1/reviews/a", True),
    ("/v1/reviews/?", "/v1/reviews/ab", False),
    ("/v1/reviews/?", "/v1/reviews//", False),  # ? is never /
    ("/v1/a.b", "/v1/aXb", False),  # regex characters are literal
    ("/v1/a+(b)", "/v1/a+(b)", True),
    ("/v1/business-units", "/v1/business-units/507f", False),  # the whole path must match
    ("/V1/**", "/v1/x", False),  # case-sensitive
    ("/v1/**", "/v1/line\nbreak", True),  # a decoded path may hold a newline: ** is any run
]


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_glob_semantics(pattern, path, expected):
    assert glob_matches(pattern, path) is expected


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_fault_rules_and_journal_queries_match_paths_alike(pattern, path, expected):
    rule = _matches({"path": pattern}, RequestFacts("GET", path, Credentials()), client=None)
    journal = not Expectation("GET", pattern).misses({"method": "GET", "path": path})
    assert rule is expected and journal is expected
