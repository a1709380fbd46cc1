"""The terminal reporter: a line per finished check, then the checklist by severity and the verdict."""

import os
import sys

from ..results import Reporter
from .common import by_severity, count_phrase, plain, verdict

MARKS = {"pass": "✓", "fail": "✗", "not applicable": "-", "blocked": "↳", "manual": "?", "error": "!"}
ASCII_MARKS = {"pass": "+", "fail": "x", "not applicable": "-", "blocked": ">", "manual": "?", "error": "!"}
COLOURS = {"pass": "32", "fail": "31", "not applicable": "90", "blocked": "33", "manual": "33", "error": "35"}
INDENT = "      "  # a message sits under the check's title, clear of the mark and id


def wants_colour(stream):
    """Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _marks_for(stream):
    # A Windows console or a C-locale pipe may not encode ✓; a crash over a tick mark would hide the verdict.
    encoding = getattr(stream, "encoding", None)
    if not encoding:  # a StringIO holds str: nothing to encode
        return MARKS
    try:
        "".join(MARKS.values()).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return ASCII_MARKS
    return MARKS


class ConsoleReporter(Reporter):
    def __init__(self, stream=None, color=None):
        self.stream = stream if stream is not None else sys.stdout
        self.color = wants_colour(self.stream) if color is None else bool(color)
        self.marks = _marks_for(self.stream)
        self.width = 0  # of the longest selected id, so that titles line up

    def run_started(self, info):
        self.width = max((len(check_id) for check_id in info.checks), default=0)
        self._line(self._paint("1", f"Trustpilot conformance: {info.integration}"))
        self._line(f"  manifest {info.manifest}, sandbox {info.sandbox}, {len(info.checks)} check(s)"
                   + (" (--only: a PARTIAL run)" if info.partial else "")
                   + (f", kit {info.kit_version}" if info.kit_version else ""))
        self._line()

    def check_finished(self, result):
        self._line(f"  {self._row(result)}  ({result.seconds:.1f} s)")
        if result.status in ("fail", "error", "blocked"):
            self._message(result.message)

    def run_finished(self, info, summary):
        self._line()
        roots = summary.root_causes
        if roots:  # what to fix first: the failures the blocked checks wait on
            self._line(self._paint("1", "Root causes"))
            for result in roots:
                self._line(f"    {self._row(result)}")
                self._message(result.message)
            self._line()
        self._line(self._paint("1", "Checklist"))
        for severity, results in by_severity(summary.results):
            self._line(f"  {severity} ({len(results)}): {count_phrase(results)}")
            for result in results:
                self._line(f"    {self._row(result)}")
                if result.status == "manual":  # what a person must confirm is the action left
                    self._message(result.message)
        self._line()
        self._line(f"{len(summary.results)} check(s) in {summary.seconds:.1f} s: {count_phrase(summary.results)}")
        self._line(self._paint("1;32" if summary.ready else "1;31", verdict(summary)))

    def _row(self, result):
        mark = self._paint(COLOURS.get(result.status, "0"), self.marks.get(result.status, "?"))
        return f"{mark} {result.id.ljust(self.width)}  {result.title}"

    def _message(self, message):
        # The message may quote the integration's output: its own terminal escapes must not paint ours.
        for line in plain(message).splitlines():
            self._line(INDENT + line)

    def _paint(self, code, text):
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def _line(self, text=""):
        self.stream.write(text + "\n")
        self.stream.flush()  # progress is only progress if it shows while the run goes on
