"""Replay the call set on both sides, each with its own ids, and compare statuses and shapes."""

from dataclasses import dataclass, field

from .calls import CALLS, CONSTANTS, fill_params, fill_path
from .shapes import Difference, differences
from .sides import CannotCompare

SIDES = ("real", "sandbox")


@dataclass
class Outcome:
    """One operation's result: ``ok``, ``drift`` (with its differences) or ``skipped`` (with why)."""
    operation: str
    path: str
    status: dict = field(default_factory=dict)  # side -> status code
    differences: list = field(default_factory=list)
    reason: str | None = None

    @property
    def result(self):
        if self.reason is not None:
            return "skipped"
        return "drift" if self.differences else "ok"


@dataclass
class Report:
    real: object      # Side
    sandbox: object   # Side
    outcomes: list

    @property
    def drift(self):
        return any(outcome.result == "drift" for outcome in self.outcomes)


class Chain:
    """One side's values so far (domain, ids from earlier answers) and, for each it lacks, why."""

    def __init__(self, side):
        self.side = side
        self.values = {**CONSTANTS, "domain": side.domain}
        self.missing = {}  # value name -> why this side has none, as the report says it

    def lacking(self, call):
        """Why this side cannot make ``call`` (None when it can)."""
        for name in sorted(call.needs()):
            if name not in self.values:
                return self.missing.get(name, f"no {name} on the {self.side.name} side")
        return None

    def learn(self, call, answer):
        for name, where in call.gives.items():
            value = _dig(answer.body, where) if 200 <= answer.status < 300 else None
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value):
                self.values[name] = value
            else:
                why = (f"{call.operation} answered {answer.status}" if not 200 <= answer.status < 300
                       else f"{call.operation}'s answer has no {_where(where)}")
                self.missing[name] = f"no {name} on the {self.side.name} side: {why}"

    def skipped(self, call, reason):
        """``call`` was not made: what it would have given is missing for the same reason."""
        for name in call.gives:
            self.missing[name] = reason


def compare(real, sandbox, calls=CALLS):
    """Run ``calls`` on both sides; raises CannotCompare when a side does not answer or its
    first call (the unit found by domain) fails."""
    chains = {"real": Chain(real), "sandbox": Chain(sandbox)}
    outcomes = []
    for index, call in enumerate(calls):
        outcomes.append(_one(call, chains, anchor=index == 0))
    return Report(real, sandbox, outcomes)


def _one(call, chains, anchor):
    outcome = Outcome(call.operation, call.path)
    reasons = [reason for reason in (chains[name].lacking(call) for name in SIDES) if reason]
    if reasons:
        outcome.reason = "; ".join(dict.fromkeys(reasons))  # once when both sides lack it for one cause
        for name in SIDES:
            chains[name].skipped(call, outcome.reason)
        return outcome
    answers = {}
    for name in SIDES:
        chain = chains[name]
        answers[name] = chain.side.get(fill_path(call.path, chain.values), fill_params(call.params, chain.values))
        if anchor and answers[name].status != 200:
            raise CannotCompare(_anchor_failure(chain.side, call, answers[name].status))
        chain.learn(call, answers[name])
        if anchor and next(iter(call.gives)) not in chain.values:  # 200, but no unit id: not this API
            raise CannotCompare(f"the {name} side at {chain.side.url} answered GET {call.path} without a business "
                                f"unit id ({chain.missing[next(iter(call.gives))]}); is it a Trustpilot API?")
    outcome.status = {name: answers[name].status for name in SIDES}
    if answers["real"].status != answers["sandbox"].status:
        outcome.differences = [Difference("status", None, answers["real"].status, answers["sandbox"].status)]
    else:
        outcome.differences = differences(answers["real"].shape, answers["sandbox"].shape)
    return outcome


def _anchor_failure(side, call, status):
    what = {401: "refused the API key", 403: "refused the API key",
            404: f"has no business unit named {side.domain!r}"}.get(status, "did not answer 200")
    return (f"the {side.name} side at {side.url} {what}: GET {call.path} (name={side.domain}) answered {status}; "
            "nothing to compare without the business unit")


def _dig(body, where):
    for step in where:
        if isinstance(step, int):
            if not isinstance(body, list) or len(body) <= step:
                return None
        elif not isinstance(body, dict):
            return None
        body = body[step] if isinstance(step, int) else body.get(step)
    return body


def _where(where):
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in where).lstrip(".")
