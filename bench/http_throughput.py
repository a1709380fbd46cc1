"""HTTP throughput benchmark: the emulator as `serve` runs it against a bare Flask app on gunicorn,
under the same load generator (wrk), interleaved. Prints req/s, p50 and p99 per route, the
ratios, the targets, and whether a half-sent request can delay a normal one.

    .venv/bin/python bench/http_throughput.py [--duration 10] [--warmup 5] [--rounds 3]

Needs wrk (Debian: apt-get install wrk). Never used for assertions in tests; see
bench/README.md for what the numbers mean.
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import emulator_command, free_port, stop  # noqa: E402  (the same launch as startup.py)

ROOT = Path(__file__).resolve().parent.parent
UNIT = "507f191e810c19729de860ea"
PARTNER = ("demo-partner-key", "demo-partner-secret")
PARTNER_ID = "cd94b09c-8f89-11ea-bc55-0242ac130003"
REDIRECT = "http://127.0.0.1:5000/callback"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
INVITATION = {"consumerEmail": "bench@example.test", "consumerName": "Bench Consumer", "referenceNumber": "b-1",
              "locale": "en-US", "serviceReviewInvitation": {"redirectUri": "https://example.test/thanks"}}
TARGETS = {"find": 1.6, "reviews": 1.0, "write": 1.0}  # req/s, emulator / baseline
TARGET_P99_MS = 14.0
SLOW_CLIENTS = 4
SLOW_PROBE_SECONDS = 10


def routes(token):
    """name -> (method, path, headers, body) of the three requests both servers answer."""
    return {
        "find": ("GET", "/v1/business-units/find?name=trustpilotdemo.com", {"apikey": PARTNER[0]}, None),
        "reviews": ("GET", f"/v1/business-units/{UNIT}/reviews?perPage=20", {"apikey": PARTNER[0]}, None),
        "write": ("POST", f"/v1/private/business-units/{UNIT}/email-invitations",
                  {"Authorization": f"Bearer {token}", "x-partner-id": PARTNER_ID,
                   "Content-Type": "application/json"}, json.dumps(INVITATION)),
    }


def baseline_command(port, workers):
    return [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", "bench.baseline_app:app"]


def launch(command, port, env=None):
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{command[0]} exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            requests.get(f"http://127.0.0.1:{port}/v1/business-units/find?name=trustpilotdemo.com",
                         headers={"apikey": PARTNER[0]}, timeout=5).raise_for_status()
            return proc
        except (requests.ConnectionError, requests.HTTPError, requests.Timeout):
            time.sleep(0.05)
    stop(proc)
    raise RuntimeError(f"{command} did not answer within 60 s")


def customer_token(base):
    """The demo unit admin's token, through the partner onboarding the integrations follow."""
    basic = {"Authorization": "Basic " + base64.b64encode(":".join(PARTNER).encode()).decode()}
    partner = requests.post(base + TOKEN_PATH, headers=basic, data={
        "grant_type": "password", "username": "partner@demo-partner.test", "password": "partner-password"})
    key = requests.post(f"{base}/v1/private/partners/{PARTNER_ID}/key/{UNIT}",
                        headers={"Authorization": f"Bearer {partner.json()['access_token']}"}).json()
    login = requests.post(base + "/authenticate", allow_redirects=False,
                          params={"client_id": key["apiKey"], "redirect_uri": REDIRECT, "response_type": "code",
                                  "state": "bench"},
                          data={"username": "admin@trustpilotdemo.com", "password": "customer-password"})
    code = parse_qs(urlsplit(login.headers["Location"]).query)["code"][0]
    key_basic = {"Authorization": "Basic " + base64.b64encode(
        f"{key['apiKey']}:{key['apiSecret']}".encode()).decode()}
    token = requests.post(base + TOKEN_PATH, headers=key_basic, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    return token.json()["access_token"]


def lua_script(directory, name, method, headers, body):
    """A wrk script sending one fixed request."""
    lines = [f'wrk.method = "{method}"']
    lines += [f'wrk.headers["{k}"] = {json.dumps(v)}' for k, v in headers.items()]
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    path = Path(directory, f"{name}.lua")
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(port, path, script, seconds, connections, threads):
    """One wrk run: (req/s, p50 ms, p99 ms, requests). Any non-2xx answer aborts the bench: a
    wrong answer must never count as throughput."""
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", str(script), f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors on {path}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests_done = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, _latency_ms(out, "50%"), _latency_ms(out, "99%"), requests_done


def _latency_ms(out, percentile):
    value, unit = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\b", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def tree_rss_mb(pid):
    """RSS of a server: its master plus every child, in MB (shared pages counted in each)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        pending += [int(child) for child in children]
    return total / 1024


def journal_newest(port):
    return requests.get(f"http://127.0.0.1:{port}/_mock/journal?limit=1", timeout=10).json()["newestSeq"]


def slow_client_delay(port):
    """Seconds a normal find takes while SLOW_CLIENTS connections hold half-sent requests
    (headers without their end, and a body shorter than its Content-Length)."""
    held = []
    for i in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port))
        if i % 2:
            sock.sendall(b"GET /v1/business-units/find?name=trustpilotdemo.com HTTP/1.1\r\nHost: x\r\n")
        else:
            sock.sendall(b"POST /v1/private/business-units/x/email-invitations HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"consumer")
        held.append(sock)
    try:
        time.sleep(0.2)
        started = time.perf_counter()
        try:
            response = requests.get(f"http://127.0.0.1:{port}/v1/business-units/find?name=trustpilotdemo.com",
                                    headers={"apikey": PARTNER[0]}, timeout=SLOW_PROBE_SECONDS)
        except requests.Timeout:
            return None, f"no answer within {SLOW_PROBE_SECONDS} s"
        return time.perf_counter() - started, response.status_code
    finally:
        for sock in held:
            sock.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run (default: 10)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of the unmeasured run per route (default: 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default: 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default: 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: 2)")
    parser.add_argument("--workers", type=int, default=2, help="workers of both servers (default: 2)")
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="measure only these routes")
    parser.add_argument("--replay", choices=("on", "off"), default="on",
                        help="the emulator's replay of repeated public reads (TRUSTPILOT_MOCK_REPLAY; default: on, "
                             "as serve runs)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="http-throughput-") as tmp:
        emulator_port, baseline_port = free_port(), free_port()
        emulator = launch(emulator_command(emulator_port, args.workers), emulator_port,
                          {"TRUSTPILOT_MOCK_REPLAY": args.replay})
        try:
            emulator_base = f"http://127.0.0.1:{emulator_port}"
            page = requests.get(emulator_base + routes("")["reviews"][1], headers={"apikey": PARTNER[0]}).json()
            Path(tmp, "page.json").write_text(json.dumps(page))
            baseline = launch(baseline_command(baseline_port, args.workers), baseline_port,
                              {"BASELINE_REVIEWS_PAGE": str(Path(tmp, "page.json"))})
            try:
                report(args, tmp, {"emulator": (emulator_port, emulator), "baseline": (baseline_port, baseline)},
                       routes(customer_token(emulator_base)))
            finally:
                stop(baseline)
        finally:
            stop(emulator)
    return 0


def report(args, tmp, servers, route_table):
    names = args.only or list(TARGETS)
    scripts = {name: lua_script(tmp, name, method, headers, body)
               for name, (method, path, headers, body) in route_table.items()}
    rss_idle = {name: tree_rss_mb(proc.pid) for name, (_, proc) in servers.items()}
    journal_before = journal_newest(servers["emulator"][0])
    for name in names:  # warm-up: caches, lazy imports, the first writes' page allocation
        for port, _ in servers.values():
            wrk(port, route_table[name][1], scripts[name], args.warmup, args.connections, args.threads)
    results = {(server, name): [] for server in servers for name in names}
    answered = 0
    for _ in range(args.rounds):  # interleaved, so drift in machine load hits both alike
        for name in names:
            for server, (port, _) in servers.items():
                figures = wrk(port, route_table[name][1], scripts[name], args.duration, args.connections,
                              args.threads)
                results[server, name].append(figures)
    journaled = journal_newest(servers["emulator"][0]) - journal_before
    answered = sum(figures[3] for name in names for figures in results["emulator", name])
    rss_after = {name: tree_rss_mb(proc.pid) for name, (_, proc) in servers.items()}
    slow = {server: slow_client_delay(port) for server, (port, _) in servers.items()}

    print(f"wrk -t{args.threads} -c{args.connections}, {args.duration} s per run after a {args.warmup} s warm-up, "
          f"{args.rounds} interleaved rounds; {args.workers} workers each; {os.cpu_count()} CPUs; "
          f"emulator's replay {args.replay}")
    print(f"{'route':<9} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    met_all = True
    for name in names:
        medians = {}
        for server in servers:
            runs = results[server, name]
            medians[server] = [statistics.median(run[i] for run in runs) for i in range(3)]
            print(f"{name:<9} {server:<9} {medians[server][0]:9.0f} {medians[server][1]:8.2f} {medians[server][2]:8.2f}")
        ratio = medians["emulator"][0] / medians["baseline"][0]
        p99 = medians["emulator"][2]
        met = ratio >= TARGETS[name] and p99 <= TARGET_P99_MS
        met_all &= met
        print(f"{name:<9} ratio of req/s (emulator / baseline): {ratio:.2f} (target >= {TARGETS[name]:.1f}); "
              f"p99 {p99:.2f} ms (target <= {TARGET_P99_MS:.0f}): {'met' if met else 'MISSED'}")
    print(f"journal: {journaled} entries for {answered} measured answers "
          f"(+ warm-up): {'every request journaled' if journaled >= answered else 'ENTRIES MISSING'}")
    for server in servers:
        print(f"RSS {server:<9} idle {rss_idle[server]:6.1f} MB -> after {rss_after[server]:6.1f} MB")
    for server, (seconds, status) in slow.items():
        took = "" if seconds is None else f" in {seconds * 1000:.0f} ms"
        print(f"slow clients: {server:<9} a find beside {SLOW_CLIENTS} half-sent requests: {status}{took} "
              "(target: within 100 ms)")
    seconds = slow["emulator"][0]
    print(f"targets: {'all met' if met_all and seconds is not None and seconds < 0.1 else 'NOT all met'}")


if __name__ == "__main__":
    sys.exit(main())
