"""No secret in the integration's output: API secrets, passwords, tokens, codes, Basic credentials.

This check runs the whole journey in its own world and searches everything the integration
printed or showed (every trigger's whole output, its pages, its service log) for every secret
of the world, as given, URL-encoded or inside Basic credentials. Every other check searches its
own outputs the same way (CheckContext.leaks); the runner fails this check when any did.
"""

from .base import CheckFailed, check
from .onboarding import BRIGHT


@check("security.no-secrets", "No secret in the integration's output",
       "Security: API secrets, passwords and tokens never appear in logs, pages or output")
def no_secrets(ctx):
    ctx.every_use_case(ctx.world.customer(BRIGHT))
    leaks = ctx.leaks()
    ctx.note(f"{len(ctx.outcomes)} trigger output(s), {len(ctx.pages)} page(s) and the service log searched")
    if leaks:
        raise CheckFailed(f"secrets appear in what the integration printed or showed: {'; '.join(leaks)} "
                          "(the values are redacted in this report)")


def leaks_elsewhere(results):
    """The message for secrets other checks found (error paths leak too), or None."""
    found = [f"{r.id}: {'; '.join(r.evidence.leaks)}" for r in results if r.evidence.leaks and r.id != "security.no-secrets"]
    if not found:
        return None
    return ("secrets appear in what the integration printed or showed in other checks: " + " | ".join(found)
            + " (the values are redacted in this report)")
