"""One signature and one registry for checks; one failure type that carries the explanation.

A check is ``def check(ctx) -> None``: it makes the integration act through ``ctx`` and
raises CheckFailed (the requirement is not met: say what was expected, what was seen and where
to look) or NotApplicable (e.g. a use case the integration does not claim). Checks never print.
"""

from dataclasses import dataclass


class CheckFailed(AssertionError):
    """The requirement is not met; the message names the problem."""


class NotApplicable(Exception):
    """The check does not apply to this integration; the message says why."""


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    requirement: str
    severity: str          # required / recommended / manual
    world: str | None      # the kit world (scenarios/conformance/<world>.yaml); None: no sandbox needed
    run: object            # def run(ctx) -> None; for world=None checks: def run(manifest, results) -> str
    use_case: str | None = None  # skipped unless the manifest claims it


CATALOG = []


def check(id, title, requirement, severity="required", world="customers", use_case=None):
    """Register a check in catalog order (the order of the modules imported by checks/__init__)."""
    def register(function):
        if any(existing.id == id for existing in CATALOG):
            raise ValueError(f"two checks share the id {id!r}")
        CATALOG.append(Check(id, title, requirement, severity, world, function, use_case))
        return function
    return register
