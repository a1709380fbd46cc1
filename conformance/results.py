"""What a run produces: one CheckResult per check, and the events reporters consume.

Reporters only read these (schemathesis' engine/events idea): the runner never prints, and a
check never writes a report. Everything here is JSON-ready through ``to_dict``; secrets were
redacted before any value got here (conformance/redaction.py).
"""

from dataclasses import asdict, dataclass, field

SEVERITIES = ("required", "recommended", "manual")
# pass: the requirement is met; fail: it is not (message says why); skip: it does not apply
# (e.g. a use case the integration does not claim); manual: a person must confirm it;
# error: the kit could not judge (the integration could not be started, the sandbox failed).
STATUSES = ("pass", "fail", "skip", "manual", "error")


@dataclass
class Trigger:
    """One thing the kit made the integration do, and what it answered."""
    name: str              # onboard, consent, ingestion, reply, invite, showcase, service
    target: str            # the command line or the URL, placeholders filled, secrets redacted
    ok: bool               # exit status 0 / HTTP 2xx
    outcome: str           # "exit 0", "exit 2", "HTTP 302", "timed out after 20 s"
    output: str            # stdout+stderr or the response body, secrets redacted, trimmed
    seconds: float


@dataclass
class Step:
    """One arrow of the sequence picture: who asked whom for what, and how it went."""
    source: str            # "Customer", "Kit", "Integration", "Trustpilot"
    target: str
    label: str             # "POST /v1/private/partners/{id}/key/{buid}"
    outcome: str           # "201", "302", "exit 0"
    ok: bool


@dataclass
class Evidence:
    notes: list = field(default_factory=list)       # what the check saw, in sentences
    requests: list = field(default_factory=list)    # the sandbox's journal entries (redacted)
    triggers: list = field(default_factory=list)    # Trigger
    sequence: list = field(default_factory=list)    # Step
    leaks: list = field(default_factory=list)       # "accessToken in the reply output": kinds, never values


@dataclass
class CheckResult:
    id: str                # "consent.state"
    title: str
    requirement: str       # the program requirement or onboarding step it enforces
    severity: str          # SEVERITIES
    status: str            # STATUSES
    message: str           # why it failed / was skipped / what to confirm; "" when it passed
    evidence: Evidence
    seconds: float = 0.0
    world: str = ""        # the kit scenario the check ran in

    @property
    def blocking(self):
        """Whether this result keeps the integration from being ready (exit code 1)."""
        return self.severity == "required" and self.status in ("fail", "error")

    def to_dict(self):
        return asdict(self)


@dataclass
class RunInfo:
    integration: str
    manifest: str
    sandbox: str           # the emulator's URL ("in-process" when the kit started it)
    started_at: str        # ISO-8601
    checks: list           # the ids selected, in order
    use_cases: list


@dataclass
class RunSummary:
    results: list          # CheckResult, in catalog order
    seconds: float

    @property
    def ready(self):
        return not any(r.blocking for r in self.results)

    def counts(self):
        out = {status: 0 for status in STATUSES}
        for result in self.results:
            out[result.status] += 1
        return out


class Reporter:
    """Base of every reporter: override what you need. Called from the runner's thread only."""

    def run_started(self, info):
        pass

    def check_started(self, check_id, title):
        pass

    def check_finished(self, result):
        pass

    def run_finished(self, info, summary):
        pass
