"""Journal assertions: which recorded requests match an expectation, and why the others miss.

An expectation is a method, a path pattern (a glob of mock_server/path_glob.py, or a compiled
regex) and keyword matchers on what the journal records
(status, query, form, the credentials summary, the fault rule that fired). A failed assertion lists the nearest
requests that did not match, each with every reason it missed, like getsentry/responses.
The journal records no other request headers and no JSON bodies, so neither can be matched.
"""

import re
from dataclasses import dataclass, field

from ..path_glob import compile_glob

NEAREST_SHOWN = 5

# keyword -> (where it lives in a journal entry, how a failure names it)
FIELDS = {
    "apikey": (("credentials", "apikey"), "apikey"),
    "client_kind": (("credentials", "clientKind"), "client kind"),
    "partner_id": (("credentials", "partnerId"), "partner id"),
    "partner_id_header": (("credentials", "partnerIdHeader"), "partner id header"),
    "bearer": (("credentials", "bearer", "status"), "bearer token"),
    "user_id": (("credentials", "bearer", "userId"), "bearer token's user"),
    "fault": (("fault", "rule"), "fault rule"),
}
MATCHERS = ("status", "query", "form", *FIELDS)


class JournalAssertionError(AssertionError):
    """A journal assertion failed; carries the expectation, the matches and the near misses."""

    def __init__(self, message, expectation, matches, near_misses):
        super().__init__(message)
        self.expectation, self.matches, self.near_misses = expectation, matches, near_misses


@dataclass
class Expectation:
    method: str | None
    path: str | re.Pattern | None
    match: dict = field(default_factory=dict)

    def __post_init__(self):
        unknown = sorted(self.match.keys() - set(MATCHERS))
        if unknown:
            raise TypeError(f"unknown journal matcher(s) {', '.join(unknown)}; use {', '.join(MATCHERS)}")
        self.method = self.method.upper() if self.method else None
        self._path = self.path if isinstance(self.path, re.Pattern) or self.path is None else compile_glob(self.path)

    def describe(self):
        method = self.method or "any method"
        path = self.path.pattern if isinstance(self.path, re.Pattern) else self.path or "any path"
        extra = ", ".join(f"{name}={_show(value)}" for name, value in self.match.items())
        return f"{method} {path}" + (f" with {extra}" if extra else "")

    def misses(self, entry):
        """Every reason ``entry`` does not match, as (weight, text); empty when it matches."""
        reasons = []
        if self.method and entry["method"] != self.method:
            reasons.append((3, f"method {entry['method']}, not {self.method}"))
        if self._path is not None and not self._path.fullmatch(entry["path"]):
            reasons.append((4, f"path does not match {_show_path(self.path)}"))
        for name, expected in self.match.items():
            reasons.extend((1, text) for text in _field_misses(name, expected, entry))
        return reasons


def _field_misses(name, expected, entry):
    if name == "status":
        actual = entry.get("status")
        return [] if _same(expected, actual) else [f"status {actual}, not {_show(expected)}"]
    if name in ("query", "form"):
        return _pairs_misses(name, expected, entry.get(name) or [])
    path, label = FIELDS[name]
    actual = entry
    for key in path:
        actual = actual.get(key) if isinstance(actual, dict) else None
    if _same(expected, actual):
        return []
    if actual is None:
        return [f"no {label}" if name != "bearer" else "no bearer token"]
    return [f"{label} {actual!r}, not {_show(expected)}"]


def _pairs_misses(name, expected, pairs):
    values = {}
    for key, value in pairs:
        values.setdefault(key, []).append(value)
    misses = []
    for key, want in expected.items():
        got = values.get(key)
        if got is None:
            misses.append(f"{name} field {key!r} missing")
        elif not _same(want, got if isinstance(want, (list, tuple)) or callable(want) else _single(got)):
            misses.append(f"{name} {key}={_single(got)!r}, not {_show(want)}")
    return misses


def _single(values):
    return values[0] if len(values) == 1 else values


def _same(expected, actual):
    if callable(expected):
        return bool(expected(actual))
    if isinstance(expected, (list, tuple)) and isinstance(actual, list):
        return [str(v) for v in expected] == actual
    if isinstance(expected, (int, float)) and isinstance(actual, str):
        return str(expected) == actual
    return expected == actual


def _show(value):
    if callable(value):
        return getattr(value, "__name__", "a predicate")
    return repr(value)


def _show_path(path):
    return path.pattern if isinstance(path, re.Pattern) else path


def line(entry):
    return f"#{entry['seq']} {entry['method']} {entry['path']}{_query(entry)} -> {entry['status']}"


def _query(entry):
    pairs = entry.get("query") or []
    return "?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else ""


def check(entries, expectation, times=None, sandbox="default"):
    """The matching entries; JournalAssertionError unless their count is ``times`` (None: at least one)."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    matches, misses = [], []
    for entry in entries:
        reasons = expectation.misses(entry)
        (misses.append((entry, reasons)) if reasons else matches.append(entry))
    if (len(matches) >= 1) if times is None else (len(matches) == times):
        return matches
    raise _failure(expectation, matches, misses, times, len(entries), sandbox)


def check_absent(entries, expectation, sandbox="default"):
    __tracebackhide__ = True
    matches = [entry for entry in entries if not expectation.misses(entry)]
    if matches:
        lines = "\n".join(f"  {line(entry)}" for entry in matches)
        raise JournalAssertionError(
            f"expected no request {expectation.describe()}, but {len(matches)} matched:\n{lines}\n"
            f"{_where(sandbox)}", expectation, matches, [])


def _failure(expectation, matches, misses, times, total, sandbox):
    wanted = "at least once" if times is None else _count(times)
    text = [f"expected {expectation.describe()} to be called {wanted}, but it was called {_count(len(matches))}."]
    if matches:
        text.append("Matching requests:")
        text.extend(f"  {line(entry)}" for entry in matches)
    nearest = sorted(misses, key=lambda item: (sum(weight for weight, _ in item[1]), -item[0]["seq"]))
    nearest = nearest[:NEAREST_SHOWN]
    if nearest:
        text.append(f"Nearest requests that did not match ({len(nearest)} of {len(misses)}):")
        text.extend(f"  {line(entry)}: {'; '.join(reason for _, reason in reasons)}" for entry, reasons in nearest)
    elif not total:
        text.append("The journal is empty: no request reached the sandbox since the last reset.")
    text.append(_where(sandbox))
    return JournalAssertionError("\n".join(text), expectation, matches, nearest)


def _where(sandbox):
    prefix = "" if sandbox == "default" else f"/_sandbox/{sandbox}"
    return f"(the whole journal: GET {prefix}/_mock/journal)"


def _count(n):
    return {0: "0 times", 1: "once", 2: "twice"}.get(n, f"{n} times")
