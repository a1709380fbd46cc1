"""The JSON reporter: the whole run as one document, for tools and for later comparison."""

import json

from ..results import Reporter
from .common import verdict, write_report


def document(info, summary):
    return {
        "integration": info.integration,
        "manifest": info.manifest,
        "sandbox": info.sandbox,
        "startedAt": info.started_at,
        "kitVersion": info.kit_version,
        "ready": summary.ready,
        "partial": summary.partial,
        "verdict": verdict(summary),
        "rootCauses": [r.id for r in summary.root_causes],
        "counts": summary.counts(),
        "seconds": summary.seconds,
        "checks": [result.to_dict() for result in summary.results],
    }


class JSONReporter(Reporter):
    def __init__(self, path):
        self.path = path

    def run_finished(self, info, summary):
        write_report(self.path, json.dumps(document(info, summary), indent=2, ensure_ascii=False) + "\n")
