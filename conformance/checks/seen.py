"""Questions checks ask of the sandbox's journal, each answered from recorded requests only."""

from mock_server.path_glob import compile_glob
from mock_server.testing.journal import line

TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
REFRESH_PATH = "/v1/oauth/oauth-business-users-for-applications/refresh"


def calls(entries, method, pattern):
    """Entries whose method and path (a glob: * one segment, ** anything) match."""
    regex = compile_glob(pattern)
    return [e for e in entries if (method is None or e["method"] == method) and regex.fullmatch(e["path"])]


def field(entry, name, where="form"):
    return next((value for key, value in entry.get(where) or [] if key == name), None)


def token_requests(entries, grant=None):
    """Token-endpoint requests (the refresh endpoint counts as the refresh_token grant)."""
    out = []
    for entry in entries:
        if entry["method"] != "POST" or entry["path"] not in (TOKEN_PATH, REFRESH_PATH):
            continue
        kind = "refresh_token" if entry["path"] == REFRESH_PATH else field(entry, "grant_type")
        if grant is None or kind == grant:
            out.append(entry)
    return out


# The use cases in the order a check picks the first claimed one that uses the customer's token.
CUSTOMER_TOKEN_FIRST = ("reply", "invite", "ingestion", "showcase")


def tail(text, size=300):
    """The end of an output (where the error usually is), quoted, for a failure message."""
    text = (text or "").strip()
    return repr(text[-size:]) if text else "(no output)"


def ok(entry):
    return 200 <= entry["status"] < 300


def with_customer_credentials(entries):
    """API calls made with a partner customer key or a token issued to one. Token-endpoint calls
    (the key and secret as Basic auth) are left out: the program page's note is about API calls,
    and the sandbox does not ask for the header there (an emulator decision)."""
    return [e for e in entries if e["credentials"].get("clientKind") == "customer"
            and e["path"] not in (TOKEN_PATH, REFRESH_PATH)]


def partner_bearer_calls(entries):
    """API calls (not the token endpoint) made with a valid token of the partner's own application."""
    return [e for e in entries if e["credentials"].get("clientKind") == "partner"
            and (e["credentials"].get("bearer") or {}).get("status") == "valid"
            and e["path"] not in (TOKEN_PATH, REFRESH_PATH)]


def listing(entries, limit=8):
    """A few journal lines for a message: '#12 GET /v1/... -> 200; #13 ...'."""
    shown = "; ".join(line(e) for e in entries[:limit])
    return shown + (f"; ... {len(entries) - limit} more" if len(entries) > limit else "")


def query_int(entry, name, default):
    value = field(entry, name, "query")
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def pages_covered(entries, per_page_default):
    """{perPage: sorted set of pages} answered 2xx, from page/perPage query parameters."""
    covered = {}
    for entry in entries:
        if ok(entry):
            per_page = query_int(entry, "perPage", None) or query_int(entry, "perpage", per_page_default)
            covered.setdefault(per_page, set()).add(query_int(entry, "page", 1))
    return covered
