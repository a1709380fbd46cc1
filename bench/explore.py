"""The explorer on planted world-dependent bugs: the time to find (and shrink) each one.

    .venv/bin/python bench/explore.py [--seed 0] [--time 120]

Each planted bug is a variant of the reference integration (tests/conformance_variants/), see
PLANTED. The explorer runs on each with its default budget. Prints, per bug, whether it was
found, the seconds to the first failing example and to the minimal world, the examples judged,
and that world. Never used for assertions in
tests; see bench/README.md.
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

# variant: what the fixed catalog says of it
PLANTED = {
    "crashes_on_emoji": "caught too, on Starry Shop (usecase.showcase)",
    "crashes_on_long_text": "caught too, on Starry Shop (usecase.ingestion)",
    "drops_page_at_multiple_of_200": "passes (450 locations)",
    "reconsent_instead_of_refresh": "caught too (tokens.refresh)",
    "never_renews_partner_token": "passes (no clock jump before an onboarding)",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time", type=float, default=120.0)
    args = parser.parse_args()
    for variant in PLANTED:
        manifest = manifests.load(reference_manifest(Path(tempfile.mkdtemp()), variant=variant))
        emulator = Emulator()
        started = time.monotonic()
        first = []
        try:
            with watched():
                exploration = explorer.Exploration(manifest, emulator, seconds=args.time, seed=args.seed,
                                                   say=lambda text: first or first.append(time.monotonic()))
                world, failures = exploration.run()
        finally:
            emulator.close()
        seconds = time.monotonic() - started
        if world is None:
            print(f"{variant} (fixed catalog: {PLANTED[variant]}): NOT found in {seconds:.1f} s, "
                  f"{exploration.tried} example(s)")
            continue
        print(f"{variant} (fixed catalog: {PLANTED[variant]}): found in {first[0] - started:.1f} s, "
              f"minimal world in {seconds:.1f} s, {exploration.tried} example(s); "
              f"{failures[0].id}: {failures[0].message[:120]}")
        print("\n".join(f"    {line}" for line in explorer.describe(world).splitlines()), flush=True)

if __name__ == "__main__":
    main()
