"""The conformance kit's full run on the reference integration: target under 30 s on this machine.

    .venv/bin/python bench/conformance_run.py [--runs 3] [--jobs 2]

Prints each run's wall time, the slowest checks, and beside them, measured in the same run, the
cost of the work the kit cannot avoid: starting a Python process (the reference integration is
one process per trigger), so a slow machine shows as a high baseline, not as a slow kit.
Never used for assertions in tests; see bench/README.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance import manifest as manifests  # noqa: E402
from conformance.emulator import Emulator  # noqa: E402
from conformance.reporters import Fanout  # noqa: E402
from conformance.runner import run  # noqa: E402

MANIFEST = ROOT / "examples" / "reference_integration" / "trustpilot-conformance.yaml"
TARGET_SECONDS = 30.0


def python_start_seconds(times=20):
    started = time.perf_counter()
    for _ in range(times):
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    return (time.perf_counter() - started) / times


def one_run(jobs):
    emulator = Emulator()
    try:
        started = time.perf_counter()
        summary = run(manifests.load(MANIFEST), emulator, Fanout([]), jobs=jobs)
        return time.perf_counter() - started, summary
    finally:
        emulator.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    walls, spawn, summary = [], [], None
    for _ in range(args.runs):  # interleaved: machine load hits the kit and its baseline alike
        spawn.append(python_start_seconds())
        wall, summary = one_run(args.jobs)
        walls.append(wall)
        if not summary.ready:
            failed = [r.id for r in summary.results if r.blocking]
            raise SystemExit(f"the reference integration did not pass ({', '.join(failed)}): fix that first")
    checks = len(summary.results)
    print(f"full conformance run, reference integration: {checks} checks, --jobs {args.jobs}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"wall seconds per run: {', '.join(f'{w:.2f}' for w in walls)} (median {statistics.median(walls):.2f})")
    slowest = sorted(summary.results, key=lambda r: r.seconds, reverse=True)[:5]
    print("slowest checks (last run): " + ", ".join(f"{r.id} {r.seconds:.1f} s" for r in slowest))
    triggers = sum(len(r.evidence.triggers) for r in summary.results)
    base = statistics.median(spawn)
    print(f"baseline, same run: one bare Python start {base * 1000:.0f} ms; the run starts about {triggers} "
          f"integration processes; run / Python start = {statistics.median(walls) / base:.0f}x")
    median = statistics.median(walls)
    print(f"target: under {TARGET_SECONDS:.0f} s: {'met' if median < TARGET_SECONDS else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
