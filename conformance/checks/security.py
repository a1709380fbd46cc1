"""No secret in the integration's output: API secret, passwords, tokens, codes."""

from .base import CheckFailed, check
from .onboarding import BRIGHT


@check("security.no-secrets", "No secret in the integration's output",
       "Security: API secrets, passwords and tokens never appear in logs or output")
def no_secrets(ctx):
    ctx.every_use_case(ctx.world.customer(BRIGHT))
    secrets = ctx.sandbox.control("GET", "/secrets")["secrets"]
    partner = ctx.world.partner
    secrets += [{"kind": "apiSecret", "value": partner["apiSecret"]},
                *({"kind": "password", "value": u["password"]} for u in partner["users"])]
    outputs = [(o.name, o.output) for o in ctx.outcomes] + [("service log", ctx.integration.service_output())]
    leaks = sorted({(where, s["kind"]) for where, text in outputs for s in secrets
                    if len(s["value"]) >= 6 and s["value"] in (text or "")})
    ctx.note(f"{len(outputs)} output(s) scanned for {len(secrets)} secret value(s)")
    if leaks:
        shown = "; ".join(f"{kind} in the {where} output" for where, kind in leaks)
        raise CheckFailed(f"secrets appear in the integration's output: {shown} (the values are redacted in "
                          "this report)")
