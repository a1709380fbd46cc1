"""Shared fixtures: an in-process app per test, and a real `serve` server per session."""

import fcntl
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from mock_server import create_app
from mock_server.testing import server as server_process

ROOT = Path(__file__).resolve().parent.parent
PARTNER_ID = "cd94b09c-8f89-11ea-bc55-0242ac130003"
DEMO_BU = "507f191e810c19729de860ea"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def customer(client):
    """Headers of the demo unit's admin: customer token from the onboarding, plus the partner header."""
    from helpers import customer_headers

    return customer_headers(client)


free_port = server_process.free_port  # below the ephemeral ports: see its docstring


def start_server(*extra_args, port=None, env=None):
    """Start `trustpilot-mock serve` and wait until it answers; returns (process, base_url)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "mock_server.cli", "serve", "--port", str(port), "--quiet", *extra_args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60  # generous: make test runs this part at a low priority
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{proc.stdout.read()}")
        try:
            requests.get(base + "/_mock/clock", timeout=0.5)
            return proc, base
        except (requests.ConnectionError, requests.Timeout):  # not listening, or workers still booting
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server on {base} did not answer within 60 s")


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def live_server():
    """A real `serve` server with two workers on loopback, shared by the session."""
    proc, base = start_server("--workers", "2")
    yield base
    stop_server(proc)


@pytest.fixture
def live(live_server):
    """The live server's base URL, with the default world loaded afresh before the test."""
    text = (ROOT / "scenarios" / "default.yaml").read_text()
    requests.post(live_server + "/_mock/scenario", data=text, headers={"Content-Type": "application/yaml"},
                  timeout=60).raise_for_status()
    return live_server


def shared(tmp_path_factory, worker_id, name, compute):
    """``compute(tmp_path)`` once per test session, its (pickled) value read by every xdist worker."""
    if worker_id == "master":  # not under xdist
        return compute(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent  # shared by the session's workers
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored = root / f"{name}.pickle"
        if not stored.exists():
            stored.write_bytes(pickle.dumps(compute(tmp_path_factory.mktemp(name))))
        return pickle.loads(stored.read_bytes())


@pytest.fixture(scope="session")
def kit_emulator():
    """The conformance kit's in-process emulator, shared: each check runs in its own named sandbox."""
    from conformance.emulator import Emulator

    emulator = Emulator()
    yield emulator
    emulator.close()


# -- real headless Chromium (Debian's; Playwright cannot download browsers here) -------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="/usr/bin/chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session's browser tests; each test opens its own context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
