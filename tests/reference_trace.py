"""One traced run of the reference integration, shared by the variant tests.

A variant (tests/conformance_variants/broken_reference.py) breaks the reference by replacing steps,
attributes of the ``reference_integration`` package through which every caller calls them. The
integration is deterministic given what the kit sends it, so a check that never calls a replaced
step in the reference run behaves exactly as it did there: the break cannot reach it. A variant
test therefore runs only the checks its break can reach (those that called a replaced step, and
every check that depends on one of them), takes the others' results from this traced run, and
judges the checks on the results (secrets, program) again over them all. The assertions see the
whole catalog, as before.

The traced run happens once per test session (conftest.shared: under pytest-xdist, the first
worker to need it runs it and the others read its results).
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass

from conformance import manifest as manifests
from conformance.checks import CATALOG
from conformance.reporters import Fanout
from conformance.results import RunSummary
from conformance.runner import run, run_on_results

from kit_helpers import REFERENCE_DIR, VARIANTS_DIR, reference_manifest

# The runner gives each check a work folder named 'conformance-<check id>-<random>'.
CHECK_FOLDER = re.compile(r"conformance-(?P<check>[a-z0-9.-]+?)-[^-/]+/")


@dataclass
class ReferenceTrace:
    results: dict  # check id -> CheckResult of the reference run
    steps: dict    # check id -> the steps of the package it made the integration call

    def checks_reached(self, replaced):
        """The ids of the checks with a world that a break replacing ``replaced`` steps can change:
        those that called one, and their dependents (which it may block)."""
        reached = {check_id for check_id, steps in self.steps.items() if steps & set(replaced)}
        for check in CATALOG:  # catalog order lists prerequisites before their dependents
            if reached & set(check.depends_on):
                reached.add(check.id)
        return [check.id for check in CATALOG if check.id in reached and check.world is not None]

    def completed(self, summary, manifest):
        """``summary`` of a run limited to the reached checks, with the reference's results for the
        other checks with a world, and the checks on the results judged again on all of them: the
        whole catalog, as a run of every check would have reported it."""
        ran = {result.id: result for result in summary.results}
        results = {check.id: ran.get(check.id) or self.results[check.id] for check in CATALOG if check.world}
        for check in (c for c in CATALOG if c.world is None):
            assert not check.depends_on, f"{check.id} has prerequisites: judge it with the runner's rules"
            results[check.id] = run_on_results(check, manifest, list(results.values()))
        return RunSummary(results=[results[check.id] for check in CATALOG], seconds=summary.seconds)


def traced_run(tmp_path, emulator):
    """Run the whole catalog on the reference integration with every step call recorded."""
    trace_file = tmp_path / "steps.trace"
    trace_file.touch()

    def traced(data):
        data["environment"]["extra"]["REFERENCE_TRACE"] = str(trace_file)
    # variant="" runs the reference through broken_reference, which records the steps.
    summary = run(manifests.load(reference_manifest(tmp_path, traced, variant="")), emulator, Fanout([]), jobs=2)
    failed = {r.id: r.message for r in summary.results if r.blocking}
    assert not failed, f"the reference integration fails its own checks, fix that first: {failed}"
    steps = {check.id: set() for check in CATALOG}
    for line in trace_file.read_text(encoding="utf-8").splitlines():
        folder, step = line.split("\t")
        match = CHECK_FOLDER.search(folder + "/")
        assert match and match["check"] in steps, f"a step call outside any check's work folder: {line!r}"
        steps[match["check"]].add(step)
    return ReferenceTrace({result.id: result for result in summary.results}, steps)


def replaced_steps(variant):
    """The steps ``variant`` replaces, as broken_reference lists them."""
    listed = subprocess.run(
        [sys.executable, "-m", "broken_reference", "--replaced-steps"], capture_output=True, text=True, check=True,
        env={**os.environ, "BROKEN_VARIANT": variant, "PYTHONPATH": os.pathsep.join([str(VARIANTS_DIR),
                                                                                    str(REFERENCE_DIR)])})
    steps = listed.stdout.split()
    assert steps, f"variant {variant!r} replaces no step of the package: its reach cannot be known"
    return steps
