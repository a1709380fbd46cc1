"""Request validation overhead: the same valid requests with requestValidation off, lenient and strict.

    .venv/bin/python bench/request_validation.py [--rounds 15] [--requests 40]

In-process (Flask test client), modes interleaved round by round; prints the median time per
request of each mode and the difference to 'off', plus the one-off cost of reading the contract
and compiling one operation. Never used for assertions in tests; see bench/README.md.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mock_server import create_app  # noqa: E402
from mock_server.request_contract import SPEC_PATH, RequestContract  # noqa: E402

BU = "507f191e810c19729de860ea"
APIKEY = {"apikey": "demo-partner-key"}
REQUESTS = {
    "find_business_unit": ("GET", "/v1/business-units/find?name=trustpilotdemo.com", {}),
    "list_business_unit_reviews (6 params)": (
        "GET", f"/v1/business-units/{BU}/reviews?stars=4,5&language=en&orderBy=stars.desc&responded=false"
               "&page=2&perPage=20", {}),
    "get_product_reviews_batch_summaries (JSON)": (
        "POST", f"/v1/product-reviews/business-units/{BU}/batch-summaries", {"json": {"skus": ["SKU-00001"]}}),
}
MODES = ("off", "lenient", "strict")


def one_off_costs():
    started = time.perf_counter()
    yaml.load(SPEC_PATH.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    parsed = time.perf_counter()
    contract = RequestContract()
    contract._doc()
    read = time.perf_counter()
    contract.operation("list_business_unit_reviews")
    compiled = time.perf_counter()
    print(f"contract: YAML parse {1000 * (parsed - started):.1f} ms (after the contract changed), cached copy "
          f"{1000 * (read - parsed):.1f} ms (once per process); one operation compiled in "
          f"{1000 * (compiled - read):.1f} ms (once per operation and process)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    one_off_costs()
    clients = {}
    for mode in MODES:
        client = create_app().test_client()
        assert client.patch("/_mock/settings", json={"requestValidation": mode}).status_code == 200
        clients[mode] = client
    for name, (method, path, kwargs) in REQUESTS.items():
        times = {mode: [] for mode in MODES}
        for mode in MODES:  # warm-up: contract, compiled operation, SQLite caches
            assert clients[mode].open(path, method=method, headers=APIKEY, **kwargs).status_code == 200
        for _ in range(args.rounds):
            for mode in MODES:
                started = time.perf_counter()
                for _ in range(args.requests):
                    clients[mode].open(path, method=method, headers=APIKEY, **kwargs)
                times[mode].append((time.perf_counter() - started) / args.requests * 1000)
        off = statistics.median(times["off"])
        shown = ", ".join(f"{mode} {statistics.median(times[mode]):.3f} ms"
                          + ("" if mode == "off" else f" (+{statistics.median(times[mode]) - off:.3f})")
                          for mode in MODES)
        print(f"{name}: {shown}")


if __name__ == "__main__":
    main()
