"""The explorer on planted world-dependent bugs: the time to find (and shrink) each one.

    .venv/bin/python bench/explore.py [--seed 0] [--time 120]

Each planted bug is a variant of the reference integration (tests/conformance_variants/) that the
fixed catalog passes; the explorer runs with its default budget. Prints, per bug, whether it was
found, the seconds to the minimal world, the examples tried and that world. Never used for
assertions in tests; see bench/README.md.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conformance import explorer, manifest as manifests  # noqa: E402
from conformance.emulator import Emulator  # noqa: E402
from conformance.runner import watched  # noqa: E402
from kit_helpers import reference_manifest  # noqa: E402

PLANTED = ("drops_page_at_multiple_of_200",)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time", type=float, default=120.0)
    args = parser.parse_args()
    for variant in PLANTED:
        manifest = manifests.load(reference_manifest(Path(tempfile.mkdtemp()), variant=variant))
        emulator = Emulator()
        started = time.monotonic()
        try:
            with watched():
                exploration = explorer.Exploration(manifest, emulator, seconds=args.time, seed=args.seed,
                                                   say=lambda text: None)
                world, failures = exploration.run()
        finally:
            emulator.close()
        seconds = time.monotonic() - started
        found = f"found in {seconds:.1f} s" if world else f"NOT found in {seconds:.1f} s"
        print(f"{variant}: {found}, {exploration.tried} example(s)"
              + (f"; minimal world: {explorer.describe(world).splitlines()[0]} ({failures[0].id})" if world else ""))


if __name__ == "__main__":
    main()
