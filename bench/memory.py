"""Memory of the in-process mode: resident set size (RSS) of one process after 1,000 and after
100,000 requests through create_app()'s Flask test client. Prints both and their ratio.

    .venv/bin/python bench/memory.py [--first 1000] [--total 100000]

The request journal keeps the newest ``settings.journalLimit`` entries (10,000 in the default
world), so memory must level off however long a test session runs. Never used for assertions
in tests; see bench/README.md for what the numbers mean.
"""

import argparse
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mock_server import create_app  # noqa: E402

TARGET_RATIO = 1.2
UNIT_ID = "507f191e810c19729de860ea"
HEADERS = {"apikey": "demo-partner-key"}
# Read-only calls a Showcase integration makes, in turn (writes would grow the world itself).
CALLS = (
    f"/v1/business-units/{UNIT_ID}",
    "/v1/business-units/find?name=trustpilotdemo.com",
    f"/v1/business-units/{UNIT_ID}/locations?page=2&perPage=20",
    f"/v1/business-units/{UNIT_ID}/reviews?page=3&perPage=20",
    "/v1/business-units/000000000000000000000000",  # a 404: errors are journaled too
)


def rss_mib():
    """This process's resident set size now (not the peak), from /proc."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def make_requests(client, start, stop):
    for number in range(start, stop):
        response = client.get(CALLS[number % len(CALLS)], headers=HEADERS)
        if response.status_code not in (200, 404):
            raise RuntimeError(f"{CALLS[number % len(CALLS)]} answered {response.status_code}")


def settle():
    gc.collect()
    return rss_mib()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=1000, help="requests before the first reading (default: 1000)")
    parser.add_argument("--total", type=int, default=100_000, help="requests before the second reading (default: 100000)")
    args = parser.parse_args(argv)

    app = create_app()
    client = app.test_client()
    at_start = settle()
    started = time.perf_counter()
    make_requests(client, 0, args.first)
    first = settle()
    make_requests(client, args.first, args.total)
    second = settle()
    elapsed = time.perf_counter() - started
    journal = client.get("/_mock/journal?since=0&limit=1").get_json()
    kept = len(client.get("/_mock/journal?since=0&limit=10000").get_json()["entries"])
    limit = client.get("/_mock/state").get_json()["settings"]["journalLimit"]

    print(f"in-process requests through create_app()'s test client ({len(CALLS)} read calls in turn), "
          f"Python {sys.version.split()[0]}, pid {os.getpid()}")
    print(f"RSS after create_app():        {at_start:7.1f} MiB")
    print(f"RSS after {args.first:>7,} requests:     {first:7.1f} MiB")
    print(f"RSS after {args.total:>7,} requests:     {second:7.1f} MiB")
    print(f"journal: {kept:,} entries kept (journalLimit {limit:,}), newest seq {journal['newestSeq']:,}; "
          f"{args.total / elapsed:,.0f} requests/s")
    ratio = second / first
    print(f"ratio (after {args.total:,} / after {args.first:,}): {ratio:.2f}")
    print(f"target: at most {TARGET_RATIO:.1f}x: {'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
