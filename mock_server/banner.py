"""The start-up banner of ``serve``: where everything is and the world's credentials.

The default world's credentials are a public fixture (scenarios/default.yaml), printed so a
newcomer can try the onboarding flow at once; this is the only place secrets are printed,
and only those written in the scenario file itself, never minted tokens or keys.
"""


def banner(state, world, base, state_path):
    lines = [f"Trustpilot partner sandbox: world {state['scenario']!r} at {base}",
             # Base URLs stand for the hosts, as clients are configured; every API path starts with /v1.
             f"  API base URL          {base}   (for https://api.trustpilot.com)",
             f"  invitations API URL   {base}   (for https://invitations-api.trustpilot.com)",
             f"  login page            {base}/authenticate   (for https://authenticate.trustpilot.com)",
             f"  contract              {base}/_mock/openapi/trustpilot.yaml",
             f"  control plane         {base}/_mock/state   (spec: {base}/_mock/openapi/control.yaml)",
             f"  dashboard             {base}/_mock/dashboard",
             f"  isolated sandboxes    POST {base}/_mock/sandboxes {{\"name\": \"job-1\"}} -> {base}/_sandbox/job-1",
             f"  state                 {state_path or 'temporary (use --state PATH to keep it)'}", ""]
    for partner in world.get("partners", []):
        lines.append(f"  partner {partner['name']!r}: id {partner['id']}")
        lines.append(f"    API key {partner['apiKey']}  secret {partner['apiSecret']}")
        for user in partner.get("users", []):
            lines.append(f"    user {user['email']} / {user['password']}" + ("  (2-step verification)" if user.get("twoFactor") else ""))
    lines.append("")
    for unit in state["businessUnits"]:
        flags = f"plan {unit['plan']}, partner permissions {'on' if unit['partnerPermissions'] else 'off'}"
        lines.append(f"  business unit {unit['domain']}: id {unit['id']} ({flags}; "
                     f"{unit['locations']} locations, {unit['reviews']} reviews)")
        for user in _scenario_users(world, unit["id"]):
            lines.append(f"    user {user['email']} / {user['password']}" + ("  (2-step verification)" if user.get("twoFactor") else ""))
    return "\n".join(lines)


def _scenario_users(world, unit_id):
    for unit in world.get("businessUnits", []):
        if unit["id"] == unit_id:
            return unit.get("users", [])
    return []
