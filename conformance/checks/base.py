"""One signature and one registry for checks; the outcomes a check can raise, each with its explanation.

A check is ``def check(ctx) -> None``. Checks with a world make the integration act through a
CheckContext; checks without one (``world=None``) judge the manifest and the other checks'
results through a ResultsContext, after every check with a world. A check raises CheckFailed
(the requirement is not met: say what was expected, what was seen and where to look),
NothingToJudge (the evidence holds nothing to judge, which is not a pass) or NotApplicable (e.g.
a use case the integration does not claim). Checks never print.

A check declares the checks it depends on (``depends_on``): it runs only once they passed (or do
not apply), and is reported "blocked by <id>" when one did not. The chain follows the program's
steps: onboarding -> consent -> use cases -> robustness.
"""

from dataclasses import dataclass


class CheckFailed(AssertionError):
    """The requirement is not met; the message names the problem."""


class NothingToJudge(CheckFailed):
    """The evidence holds nothing this check could judge: not a pass (the run is not READY)."""

    def __init__(self, message):
        super().__init__(f"nothing to judge: {message}")


class NotApplicable(Exception):
    """The check does not apply to this integration; the message says why."""


class Blocked(Exception):
    """The check cannot be judged because ``prerequisite`` did not pass (for a check that finds its
    prerequisites among the results, e.g. 'at least one use case')."""

    def __init__(self, prerequisite, root_cause=""):
        super().__init__(prerequisite)
        self.prerequisite, self.root_cause = prerequisite, root_cause or prerequisite


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    requirement: str
    severity: str          # required / recommended / manual
    world: str | None      # the kit world (scenarios/conformance/<world>.yaml); None: judges the results
    run: object            # def run(ctx) -> None
    use_case: str | None = None  # not applicable unless the manifest claims it
    depends_on: tuple = ()       # ids of the checks that must pass (or not apply) first


CATALOG = []
USE_CASE_CHECKS = ("usecase.ingestion", "usecase.reply", "usecase.invite", "usecase.showcase")


def check(id, title, requirement, severity="required", world="customers", use_case=None, depends_on=()):
    """Register a check in catalog order (the order of the modules imported by checks/__init__)."""
    def register(function):
        if any(existing.id == id for existing in CATALOG):
            raise ValueError(f"two checks share the id {id!r}")
        CATALOG.append(Check(id, title, requirement, severity, world, function, use_case, tuple(depends_on)))
        return function
    return register
