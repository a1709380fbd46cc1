"""What a run produces: one CheckResult per check, and the events reporters consume.

Reporters only read these (schemathesis' engine/events idea): the runner never prints, and a
check never writes a report. Everything here is JSON-ready through ``to_dict``; secrets were
redacted before any value got here (conformance/redaction.py).
"""

from dataclasses import asdict, dataclass, field

SEVERITIES = ("required", "recommended", "manual")
# pass: the requirement is met; fail: it is not, or nothing showed it is (message says why);
# not applicable: it does not apply (e.g. a use case the integration does not claim; the message
# says why); blocked: a check it depends on did not pass (``blocked_by`` names it); error: the
# kit's own failure (it could not judge: the sandbox or the browser failed); manual: a person
# must confirm it. Each result is final when it is reported.
NOT_APPLICABLE = "not applicable"
STATUSES = ("pass", "fail", NOT_APPLICABLE, "blocked", "error", "manual")
ACCEPTABLE = ("pass", NOT_APPLICABLE)  # a prerequisite in one of these lets its dependents run


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
    blocked_by: str = ""   # blocked: the prerequisite that did not pass
    root_cause: str = ""   # blocked: the failed (not blocked) check at the start of the chain

    @property
    def blocking(self):
        """Whether this result keeps the integration from being ready."""
        return self.severity == "required" and self.status in ("fail", "error", "blocked")

    @property
    def is_root_cause(self):
        """A required check that failed on its own account (not merely blocked by another)."""
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
    partial: bool = False  # --only: not every check of the catalog was selected
    kit_version: str = ""


@dataclass
class RunSummary:
    results: list          # CheckResult, in catalog order
    seconds: float
    partial: bool = False  # --only: a partial run is never READY

    @property
    def ready(self):
        return not self.partial and not any(r.blocking for r in self.results)

    @property
    def root_causes(self):
        """The required checks that failed or errored on their own account, in catalog order."""
        return [r for r in self.results if r.is_root_cause]

    @property
    def kit_failed(self):
        """The kit itself failed on some check (exit status 2, not a verdict on the integration)."""
        return any(r.status == "error" for r in self.results)

    def counts(self):
        out = {status: 0 for status in STATUSES}
        for result in self.results:
            out[result.status] = out.get(result.status, 0) + 1
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
