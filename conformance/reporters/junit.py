"""The JUnit XML reporter, for CI tools: one testsuite, one testcase per check, written at the end.

The shape is the common one CI tools read (Jenkins' junit-10.xsd, which GitLab, GitHub actions and
Azure follow): <testsuites> around one <testsuite> with tests/failures/errors/skipped/time, and in
each <testcase> at most one of <failure>, <error>, <skipped>, then <system-out>.
"""

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from ..results import Reporter
from .common import plain, root_causes_first, write_report

SUITE = "trustpilot-conformance"


def _seconds(value):
    return f"{value:.3f}"


def _timestamp(started_at):
    """The strictest schema (windyroad's JUnit.xsd) wants a zone-less date-time: say it in UTC."""
    try:
        when = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def _totals(summary):
    counts = summary.counts()
    return {"tests": str(len(summary.results)), "failures": str(counts["fail"]), "errors": str(counts["error"]),
            "skipped": str(counts["not applicable"] + counts["blocked"] + counts["manual"]), "time": _seconds(summary.seconds)}


def _trigger_log(triggers):
    """What the integration printed or answered, trigger by trigger: the first place to look."""
    blocks = []
    for trigger in triggers:
        head = f"[{trigger.name}] {trigger.target}\n{trigger.outcome} ({trigger.seconds:.1f} s)"
        blocks.append(head + ("\n" + trigger.output if trigger.output else ""))
    return plain("\n\n".join(blocks))


def testcase(parent, result):
    case = ET.SubElement(parent, "testcase", classname=result.id.split(".", 1)[0], name=result.id,
                         time=_seconds(result.seconds))
    message = plain(result.message)
    if result.status in ("fail", "error"):
        tag = "failure" if result.status == "fail" else "error"
        outcome = ET.SubElement(case, tag, message=message, type=result.severity)
        outcome.text = plain("\n".join([result.message, *result.evidence.notes]))
    elif result.status in ("not applicable", "blocked", "manual"):
        # "skipped" to a CI tool: nothing ran that could pass; the message says why (blocked: by which
        # check, whose failure is the one to read) or what to confirm
        ET.SubElement(case, "skipped", message=message or result.status)
    if result.evidence.triggers:
        ET.SubElement(case, "system-out").text = _trigger_log(result.evidence.triggers)
    return case


def render(info, summary):
    """The XML document's text."""
    totals = _totals(summary)
    root = ET.Element("testsuites", name=SUITE, **totals)
    suite = ET.SubElement(root, "testsuite", name=SUITE, **totals)
    stamp = _timestamp(info.started_at)
    if stamp:
        suite.set("timestamp", stamp)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("integration", info.integration), ("manifest", info.manifest),
                        ("sandbox", info.sandbox), ("useCases", ",".join(info.use_cases)),
                        ("kitVersion", info.kit_version), ("partial", str(info.partial).lower())):
        ET.SubElement(properties, "property", name=name, value=plain(value))
    for result in root_causes_first(summary.results):
        testcase(suite, result)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


class JUnitReporter(Reporter):
    def __init__(self, path):
        self.path = path

    def run_finished(self, info, summary):
        write_report(self.path, render(info, summary))
