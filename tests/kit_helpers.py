"""Manifests for kit tests: the reference integration's, changed, written outside the repository."""

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "examples" / "reference_integration"
REFERENCE = REFERENCE_DIR / "trustpilot-conformance.yaml"
VARIANTS_DIR = Path(__file__).resolve().parent / "conformance_variants"


def reference_manifest(tmp_path, change=None, variant=None):
    """The reference manifest written to ``tmp_path``, changed by ``change(data)``; with ``variant``,
    every command runs tests/conformance_variants/broken_reference.py with that break instead."""
    data = yaml.safe_load(REFERENCE.read_text())
    paths = [str(REFERENCE_DIR)]
    if variant is not None:
        paths.insert(0, str(VARIANTS_DIR))
        # -S: the reference uses the standard library only, and these tests start thousands of its
        # processes; skipping `site` (the venv's .pth files and the editable install's import
        # hook) makes each start about a tenth cheaper. PYTHONPATH still finds both packages.
        _swap_module(data, "{python} -m reference_integration", "{python} -S -m broken_reference")
        data["environment"].setdefault("extra", {})["BROKEN_VARIANT"] = variant
        # Some breaks are slow on purpose (reviews read one per request): on a loaded machine the
        # default 20 s per trigger could kill them and fail another check than the one under test.
        data.setdefault("timeouts", {})["triggerSeconds"] = 60
    data["environment"].setdefault("extra", {})["PYTHONPATH"] = os.pathsep.join(paths)
    if change is not None:
        change(data)
    path = tmp_path / "trustpilot-conformance.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _swap_module(data, old, new):
    data["service"]["command"] = data["service"]["command"].replace(old, new)
    for trigger in [*data["triggers"].values(), data.get("results") or {}]:
        if "run" in trigger:
            trigger["run"] = trigger["run"].replace(old, new)
