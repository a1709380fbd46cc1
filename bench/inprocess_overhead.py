"""In-process overhead: the emulator's Flask test client against a bare Flask test client returning
the same JSON, called interleaved in one run. Prints microseconds per call and their ratio.

The emulator is measured twice: as create_app() builds it, where this repeated call is replayed
from its kept answer (mock_server/web/replay.py), and with replay off, where every call runs the
app. The target is judged on the second: the app's own cost per call.

    .venv/bin/python bench/inprocess_overhead.py [--calls 250] [--rounds 40] [--profile]

Never used for assertions in tests; see bench/README.md for what the numbers mean.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from flask import Flask, jsonify

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mock_server import create_app  # noqa: E402

TARGET_RATIO = 1.5
UNIT_ID = "507f191e810c19729de860ea"
PATH = f"/v1/business-units/{UNIT_ID}"
HEADERS = {"apikey": "demo-partner-key"}


def emulator_client(replay=True):
    return create_app({"REPLAY_ANSWERS": replay}).test_client()


def baseline_client(body):
    """A bare Flask app answering the same route with the emulator's own body, as fixed JSON."""
    app = Flask("baseline")
    app.json.sort_keys = False
    app.json.compact = True

    @app.get("/v1/business-units/<business_unit_id>")
    def get_business_unit(business_unit_id):
        return jsonify(body)

    return app.test_client()


def call(client):
    response = client.get(PATH, headers=HEADERS)
    if response.status_code != 200:
        raise RuntimeError(f"GET {PATH} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response


def per_call_us(client, calls):
    """(wall, cpu) microseconds per call. CPU time is what other processes' load barely moves."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        call(client)
    return (time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6


def profile(client, calls):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call(client)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(35)
    stats.sort_stats("tottime").print_stats(20)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=250, help="calls per round and client (default: 250)")
    parser.add_argument("--rounds", type=int, default=40, help="measured rounds (default: 40)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the emulator's calls instead")
    args = parser.parse_args(argv)

    emulator, replayed = emulator_client(replay=False), emulator_client()
    body = call(emulator).get_json()
    baseline = baseline_client(body)
    if call(baseline).get_data() != call(emulator).get_data():
        raise RuntimeError("the baseline does not answer the emulator's body")
    if args.profile:
        profile(emulator, args.calls * 8)
        return 0
    clients = {"emulator": emulator, "replayed": replayed, "baseline": baseline}
    for client in clients.values():  # warm-up: caches, first-call imports
        per_call_us(client, 200)
    times = {name: [] for name in clients}
    for _ in range(args.rounds):  # short rounds, interleaved, so drift in machine load hits all alike
        for name, client in clients.items():
            times[name].append(per_call_us(client, args.calls))

    print(f"in-process GET {PATH} (apikey), Flask test client")
    print(f"{args.rounds} rounds x {args.calls} calls each, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"{'us/call':<10} {'wall min':>9} {'median':>8} {'max':>8}   {'cpu min':>8} {'median':>8} {'max':>8}")
    medians = {}
    for name, values in times.items():
        wall, cpu = [v[0] for v in values], [v[1] for v in values]
        medians[name] = statistics.median(wall), statistics.median(cpu)
        print(f"{name:<10} {min(wall):9.1f} {medians[name][0]:8.1f} {max(wall):8.1f}   "
              f"{min(cpu):8.1f} {medians[name][1]:8.1f} {max(cpu):8.1f}")
    wall_ratio = medians["emulator"][0] / medians["baseline"][0]
    cpu_ratio = medians["emulator"][1] / medians["baseline"][1]
    print(f"ratio of medians (emulator, replay off / baseline): wall {wall_ratio:.2f}, cpu {cpu_ratio:.2f}")
    print(f"ratio of medians (emulator, replayed / baseline): wall "
          f"{medians['replayed'][0] / medians['baseline'][0]:.2f}, cpu {medians['replayed'][1] / medians['baseline'][1]:.2f}")
    print(f"target: at most {TARGET_RATIO:.1f}x (wall): {'met' if wall_ratio <= TARGET_RATIO else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
