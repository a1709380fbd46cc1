"""The review report: one self-contained HTML file a Trustpilot reviewer reads (templates/report.html).

Everything that came from the partner's integration (outputs, paths, messages quoting them) is
escaped by Jinja2's autoescaping; only the sequence SVG, built and escaped in sequence.py, is
marked safe.
"""

from datetime import datetime, timezone
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..results import Reporter
from .common import blocking_count, by_severity, count_phrase, plain, root_causes_first, verdict, write_report
from .sequence import sequence_svg

FLOW_PREFIXES = ("onboarding.", "consent.")


@cache
def environment():
    env = Environment(loader=PackageLoader("conformance", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["plain"] = plain
    env.filters["css"] = lambda status: status.replace(" ", "-")  # "not applicable" as one class
    return env


def describe_credentials(creds):
    """'customer token, x-partner-id present': who called, from a journal entry's credentials summary."""
    if not creds:
        return "no credentials"
    bearer, kind, apikey = creds.get("bearer"), creds.get("clientKind"), creds.get("apikey")
    if bearer:
        status = bearer.get("status")
        who = "unknown token" if status == "unknown" else f"{kind or 'unregistered client'} token"
        parts = [who if status in ("valid", "unknown") else f"{who} ({status})"]
        if apikey:
            parts.append("API key too")
    elif apikey:
        parts = [f"{kind} API key" if kind else "unknown API key"]
    elif creds.get("basicClient"):  # the token endpoints: key:secret as Basic auth (the key only is recorded)
        parts = [f"{kind} key and secret (Basic)" if kind else "unknown key (Basic)"]
    else:
        parts = ["no API key or token"]
    # The journal records the header's value, not its name; x-partner-id is the scenario default.
    if creds.get("partnerIdHeader"):
        parts.append("x-partner-id present")
    elif kind == "customer":
        parts.append("no x-partner-id")  # customer-token calls are the ones that must carry it
    return ", ".join(parts)


def _pairs(pairs):
    return "&".join(f"{name}={value}" for name, value in pairs or [])


def request_row(entry):
    """A journal entry as the report's compact table shows it."""
    query = _pairs(entry.get("query"))
    notes = [f"fault {entry['fault']['rule']}"] if entry.get("fault") else []
    notes += [f"{v.get('in')} {v.get('name')}: {v.get('message')}" for v in entry.get("violations") or []]
    time = entry.get("time") or ""
    return {"time": time.split("T", 1)[-1].rstrip("Z") if time else "", "at": time,
            "method": entry.get("method", ""), "target": entry.get("path", "") + (f"?{query}" if query else ""),
            "form": _pairs(entry.get("form")), "status": entry.get("status", ""),
            "ok": 200 <= (entry.get("status") or 0) < 400,
            "credentials": describe_credentials(entry.get("credentials")), "notes": notes}


def when(started_at):
    """The run's start as a reviewer reads it; the stored text when it is not ISO-8601."""
    try:
        moment = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return started_at
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# The check whose run covers the whole flow (onboarding, consent, a use case) is shown first.
WHOLE_FLOW = "consent.authorization-code"


def onboarding_flow(results):
    """The flow shown at the top: the whole-flow check's sequence, else the first onboarding or
    consent result that recorded one."""
    flows = [r for r in results if r.id.startswith(FLOW_PREFIXES) and r.evidence.sequence]
    return next((r for r in flows if r.id == WHOLE_FLOW), flows[0] if flows else None)


def _check_view(result):
    svg = sequence_svg(result.evidence.sequence, title=f"Sequence of {result.id}")
    return {"result": result, "anchor": f"check-{result.id}", "svg": Markup(svg) if svg else None,
            "requests": [request_row(entry) for entry in result.evidence.requests]}


def render(info, summary):
    """The report's HTML text."""
    flow = onboarding_flow(summary.results)
    groups = [(severity, len(results), count_phrase(results)) for severity, results in by_severity(summary.results)]
    return environment().get_template("report.html").render(
        info=info, summary=summary, ready=summary.ready, verdict=verdict(summary),
        blocking=[r for r in root_causes_first(summary.results) if r.blocking], blocking_count=blocking_count(summary),
        counts=summary.counts(), groups=groups, started=when(info.started_at),
        flow=flow, flow_svg=Markup(sequence_svg(flow.evidence.sequence, "The observed onboarding flow")) if flow else None,
        checks=[_check_view(result) for result in root_causes_first(summary.results)])


class HTMLReporter(Reporter):
    def __init__(self, path):
        self.path = path

    def run_finished(self, info, summary):
        write_report(self.path, render(info, summary))
