"""The drift report, as text for a person and as JSON for a pipeline (neither ever holds a key)."""

import json

EXPLAINED = {
    "missing": "the real API has it, the sandbox does not",
    "extra": "the sandbox has it, the real API does not",
}


def as_json(report):
    counts = {result: sum(o.result == result for o in report.outcomes) for result in ("ok", "drift", "skipped")}
    return {
        "drift": report.drift,
        "real": {"url": report.real.url, "domain": report.real.domain},
        "sandbox": {"url": report.sandbox.description, "domain": report.sandbox.domain},
        "operations": [_operation(outcome) for outcome in report.outcomes],
        "summary": counts,
    }


def _operation(outcome):
    entry = {"operation": outcome.operation, "method": "GET", "path": outcome.path, "result": outcome.result,
             "status": outcome.status or None, "differences": [d.as_json() for d in outcome.differences]}
    if outcome.reason is not None:
        entry["reason"] = outcome.reason
    return entry


def as_text(report):
    data = as_json(report)
    width = max(len(o.operation) for o in report.outcomes)
    lines = [f"real API: {report.real.url} (business unit {report.real.domain})",
             f"sandbox:  {report.sandbox.description} (business unit {report.sandbox.domain})", ""]
    for outcome in report.outcomes:
        label = {"ok": "ok", "drift": "DRIFT", "skipped": "skipped"}[outcome.result]
        lines.append(f"{label:<8} {outcome.operation:<{width}}  GET {outcome.path}")
        lines.extend(f"           {_difference(d)}" for d in outcome.differences)
        if outcome.reason:
            lines.append(f"           {outcome.reason}")
    summary = data["summary"]
    verdict = "drift found" if report.drift else "no drift"
    lines += ["", f"{len(report.outcomes)} operations: {summary['ok']} ok, {summary['drift']} with drift, "
                  f"{summary['skipped']} skipped; {verdict} (shapes and statuses only, values are not compared)"]
    return "\n".join(lines)


def _difference(difference):
    if difference.kind == "status":
        return f"status   real {difference.real}, sandbox {difference.sandbox}"
    if difference.kind == "type":
        return (f"type     {difference.path}: real {'|'.join(difference.real)}, "
                f"sandbox {'|'.join(difference.sandbox)}")
    types = difference.real if difference.kind == "missing" else difference.sandbox
    return f"{difference.kind:<8} {difference.path} ({'|'.join(types)}): {EXPLAINED[difference.kind]}"


def dumps(report):
    return json.dumps(as_json(report), indent=2)
