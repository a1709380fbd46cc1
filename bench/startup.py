"""Startup benchmark: from launching `trustpilot-mock serve` to its first HTTP 200, against a bare
gunicorn + Flask baseline launched and polled the same way. Prints min/median/max and the ratio.

    .venv/bin/python bench/startup.py [--runs 7] [--workers 2]

Never used for assertions in tests; see bench/README.md for what the numbers mean.
"""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.35
PATH = "/v1/business-units/find?name=trustpilotdemo.com"
HEADERS = {"apikey": "demo-partner-key"}
EXPECTED_ID = "507f191e810c19729de860ea"
POLL_SECONDS = 0.005
DEADLINE_SECONDS = 30


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def emulator_command(port, workers):
    script = Path(sys.executable).with_name("trustpilot-mock")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "mock_server.cli"]
    return launcher + ["serve", "--workers", str(workers), "--quiet", "--port", str(port)]


def baseline_command(port, workers):
    return [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", "bench.baseline_app:app"]


def first_200(port):
    """Seconds-free probe: True once the server answers 200 with the expected business unit."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", PATH, headers=HEADERS)
        response = conn.getresponse()
        body = response.read()
    except (ConnectionError, http.client.HTTPException, OSError):
        return False
    finally:
        conn.close()
    if response.status != 200:
        return False
    if EXPECTED_ID.encode() not in body:
        raise RuntimeError(f"200 on port {port} without the expected business unit: {body[:200]!r}")
    return True


def measure(make_command, workers):
    """Launch one server on a fresh port; return seconds from launch to its first 200."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(make_command(port, workers), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        while not first_200(port):
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read()}")
            if time.perf_counter() - started > DEADLINE_SECONDS:
                raise RuntimeError(f"no 200 within {DEADLINE_SECONDS} s")
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - started
    finally:
        stop(proc)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def summary(name, times):
    return f"{name:<10} {min(times):8.3f} {statistics.median(times):8.3f} {max(times):8.3f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured launches of each server (default: 7)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for both servers (default: 2)")
    parser.add_argument("--no-warmup", action="store_true", help="do not launch each server once unmeasured first")
    args = parser.parse_args(argv)

    servers = {"emulator": emulator_command, "baseline": baseline_command}
    if not args.no_warmup:  # first launches pay for cold disk caches and .pyc writing
        for make_command in servers.values():
            measure(make_command, args.workers)
    times = {name: [] for name in servers}
    for _ in range(args.runs):  # interleaved, so drift in machine load hits both alike
        for name, make_command in servers.items():
            times[name].append(measure(make_command, args.workers))

    print(f"launch -> first HTTP 200 of GET {PATH}")
    print(f"{args.runs} runs each, {args.workers} workers, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"{'seconds':<10} {'min':>8} {'median':>8} {'max':>8}")
    for name, values in times.items():
        print(summary(name, values))
    emulator, baseline = (statistics.median(times[name]) for name in servers)
    print(f"ratio of medians (emulator / baseline): {emulator / baseline:.2f}")
    met = emulator < TARGET_SECONDS
    print(f"target: emulator's median first 200 under {TARGET_SECONDS:.2f} s: {'met' if met else 'MISSED'} "
          f"({emulator:.3f} s; slowest run {max(times['emulator']):.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
