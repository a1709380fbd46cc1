"""Reporters: they consume the runner's events and write the console, JUnit, JSON and HTML reports."""

from ..results import Reporter
from .console import ConsoleReporter
from .html import HTMLReporter
from .json_report import JSONReporter
from .junit import JUnitReporter

__all__ = ["ConsoleReporter", "Fanout", "HTMLReporter", "JSONReporter", "JUnitReporter", "build_reporters"]


class Fanout(Reporter):
    """Forwards every event to each reporter in order. One reporter that raises (a report path that
    cannot be written) does not keep the others from their event; the first error is raised after."""

    def __init__(self, reporters):
        self.reporters = list(reporters)

    def _each(self, event, *args):
        first_error = None
        for reporter in self.reporters:
            try:
                getattr(reporter, event)(*args)
            except Exception as error:  # noqa: BLE001 - re-raised below, once every reporter had its turn
                first_error = first_error or error
        if first_error is not None:
            raise first_error

    def run_started(self, info):
        self._each("run_started", info)

    def check_started(self, check_id, title):
        self._each("check_started", check_id, title)

    def check_finished(self, result):
        self._each("check_finished", result)

    def run_finished(self, info, summary):
        self._each("run_finished", info, summary)


def build_reporters(console_stream=None, junit=None, json_path=None, html=None):
    """The reporters the options ask for (a path or a stream each; None leaves that one out), console first."""
    reporters = []
    if console_stream is not None:
        reporters.append(ConsoleReporter(console_stream))
    if junit:
        reporters.append(JUnitReporter(junit))
    if json_path:
        reporters.append(JSONReporter(json_path))
    if html:
        reporters.append(HTMLReporter(html))
    return reporters
