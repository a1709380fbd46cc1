"""No secret in the integration's output or in the URLs it requests.

Every check with a world searches what its integration printed or showed (every trigger's whole
output, its pages, its service log) for every secret of its world, as given, URL-encoded or
inside Basic credentials, and the URLs of every request in its journal (a query value that is a
secret, or a field such as client_secret whose name says it is one): its evidence lists the
kinds and where (CheckContext.leaks), never the values. This check judges all of that evidence,
after every other check: an ordinary check over the results, so its result is final when reported.
"""

from .base import CheckFailed, NothingToJudge, check


@check("security.no-secrets", "No secret in the integration's output or request URLs",
       "Security: API secrets, passwords and tokens never appear in logs, pages, output or URLs", world=None)
def no_secrets(ctx):
    """Pass: no check's evidence lists a leak, and at least one check made the integration act.
    Fail: a secret in some check's trigger output, page, service log or request URL (the journal)."""
    searched = [r for r in ctx.results if r.evidence.triggers or r.evidence.requests]
    if not searched:
        raise NothingToJudge("no check made the integration act, so there was no output to search")
    found = [f"{r.id}: {'; '.join(r.evidence.leaks)}" for r in ctx.results if r.evidence.leaks]
    ctx.note(f"the outputs, pages, service logs and request URLs of {len(searched)} check(s) searched")
    if found:
        raise CheckFailed("secrets appear in what the integration printed, showed or sent in a URL: "
                          + " | ".join(found) + " (the values are redacted in this report)")
