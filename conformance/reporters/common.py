"""What every reporter says the same way: the verdict, the checklist groups, clean text, the file."""

import re
from pathlib import Path

from ..results import SEVERITIES, STATUSES

READY = "READY for the technical review"
PARTIAL = "PARTIAL"

# How a count of each status reads in a sentence ("3 passed, 1 to confirm").
STATUS_WORDS = {"pass": "passed", "fail": "failed", "not applicable": "not applicable", "blocked": "blocked",
                "manual": "to confirm", "error": "error"}

# Colour and cursor sequences (an integration's CLI may colour its output even into a pipe).
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# What XML 1.0 cannot hold at all (control characters, lone surrogates): ElementTree would write
# them and leave a file CI tools refuse to parse.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def blocking_count(summary):
    return sum(1 for result in summary.results if result.blocking)


def verdict(summary):
    """The one-line verdict, root causes first. A required check that errored or is blocked counts
    against readiness: nothing showed it passes. A run limited by --only is PARTIAL, never READY."""
    roots = summary.root_causes
    blocked = sum(1 for r in summary.results if r.blocking and not r.is_root_cause)
    text = ""
    if roots or blocked:
        text = f"NOT READY: {len(roots)} required check(s) failed"
        if roots:
            text += f" (root cause{'s' if len(roots) > 1 else ''}: {', '.join(r.id for r in roots)})"
        if blocked:
            text += f", {blocked} blocked by them"
    if summary.partial:
        scope = "only the selected checks ran (--only); run every check for a verdict"
        return f"{PARTIAL}: {scope}" + (f"; {text}" if text else "")
    return text or READY


def root_causes_first(results):
    """The results with the failed (root cause) ones first, then the blocked, then the rest, each
    group in catalog order: what a reviewer reads first."""
    return sorted(results, key=lambda r: 0 if r.is_root_cause else 1 if r.status == "blocked" else 2)


def by_severity(results):
    """[(severity, results)] in SEVERITIES order; an unexpected severity comes last rather than vanishing."""
    order = list(SEVERITIES) + [r.severity for r in results if r.severity not in SEVERITIES]
    groups = []
    for severity in dict.fromkeys(order):
        members = [r for r in results if r.severity == severity]
        if members:
            groups.append((severity, members))
    return groups


def count_phrase(results):
    """'3 passed, 1 failed, 2 errors': the statuses present, in STATUSES order."""
    counts = {status: 0 for status in STATUSES}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    parts = []
    for status, count in counts.items():
        if count:
            word = STATUS_WORDS.get(status, status)
            parts.append(f"{count} {word}{'s' if word == 'error' and count > 1 else ''}")
    return ", ".join(parts) or "no checks"


def plain(text):
    """``text`` without terminal escapes or characters a report file cannot carry."""
    return NOT_XML.sub("", ANSI.sub("", text or ""))


def write_report(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
