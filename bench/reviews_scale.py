"""Review scale benchmark: load a world with a million reviews, then compare page 1 with page
10,000 of the unit's public review list (side by side, same run), and report memory.

    .venv/bin/python bench/reviews_scale.py [--reviews 1000000] [--rounds 30]

Targets (issue 3): the load takes under 15 s; page 10,000 costs at most 2x page 1.
Never used for assertions in tests.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mock_server import create_app  # noqa: E402

UNIT = "5a5a5a5a5a5a5a5a5a5a5a5a"
PER_PAGE = 100


def world(reviews):
    return {"name": "scale", "seed": 1,
            "partners": [{"id": "11111111-2222-4333-8444-555555555555", "name": "P", "apiKey": "k",
                          "apiSecret": "s"}],
            "businessUnits": [{"id": UNIT, "domain": "scale.example", "plan": "standard",
                               "users": [{"id": "5a5a5a5a5a5a5a5a5a5a5a01", "email": "a@scale.example",
                                          "password": "pw"}],
                               "locations": {"generate": 450}, "reviews": {"generate": reviews}}]}


def timed_pages(client, urls, rounds):
    """Median seconds per request for each url, measured interleaved so noise hits all alike."""
    samples = {label: [] for label in urls}
    for _ in range(rounds):
        for label, url in urls.items():
            started = time.perf_counter()
            response = client.get(url, headers={"apikey": "k"})
            samples[label].append(time.perf_counter() - started)
            assert response.status_code == 200 and len(response.get_json()["reviews"]) == PER_PAGE, label
    return {label: statistics.median(values) for label, values in samples.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    last_page = args.reviews // PER_PAGE
    base = f"/v1/business-units/{UNIT}/reviews?perPage={PER_PAGE}"
    # The default list hides reported reviews (about 1 in 500), so its last pages are short;
    # with includeReportedReviews=true every review is listed and page 10,000 is full.
    urls = {"page 1": f"{base}&page=1",
            f"page {last_page:,} (includeReportedReviews)": f"{base}&page={last_page}&includeReportedReviews=true",
            f"page {int(last_page * 0.99):,} (default list)": f"{base}&page={int(last_page * 0.99)}"}
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "state.db")
        started = time.perf_counter()
        app = create_app({"SCENARIO": world(args.reviews), "STATE_PATH": state, "FRESH_STATE": True})
        load = time.perf_counter() - started
        rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        medians = timed_pages(app.test_client(), urls, args.rounds)
        size = sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp)) / 2 ** 20
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"world: 1 business unit, {args.reviews:,} reviews, 450 locations (file-backed SQLite, as `serve`)")
    print(f"load: {load:.2f} s (target under 15 s: {'met' if load < 15 else 'MISSED'})")
    first = medians["page 1"]
    for label, median in medians.items():
        ratio = median / first
        verdict = "" if label == "page 1" else f"  ratio to page 1: {ratio:.2f} (target at most 2: {'met' if ratio <= 2 else 'MISSED'})"
        print(f"{label:40s} {median * 1000:6.2f} ms median of {args.rounds} (perPage={PER_PAGE}){verdict}")
    print(f"memory: peak RSS {rss_loaded:.0f} MiB after loading, {rss:.0f} MiB after paging; "
          f"state on disk {size:.0f} MiB")


if __name__ == "__main__":
    main()
