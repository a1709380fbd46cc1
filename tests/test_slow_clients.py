"""`serve` over real sockets against clients that do not finish their requests (mock_server/rsgi.py):
half-sent requests hold no worker, a body that never arrives is a 408 the journal records,
a fault rule's latency does not hold the worker, and a huge declared body is refused unread.

Order of completion is asserted, never timings."""

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading

import pytest
import requests

from conftest import ROOT, free_port, start_server, stop_server

FIND = "/v1/business-units/find?name=trustpilotdemo.com"
APIKEY = {"apikey": "demo-partner-key"}
INVITE = "/v1/private/business-units/507f191e810c19729de860ea/email-invitations"


@pytest.fixture(scope="module")
def impatient():
    """One worker (so nothing can hide behind a second one), giving up on a body after 1 s."""
    proc, base = start_server("--workers", "1", env={"TRUSTPILOT_MOCK_READ_TIMEOUT": "1"})
    yield base
    stop_server(proc)


def half_sent(base):
    """Four connections, each holding a request it never finishes: two stop inside the headers,
    two inside a body shorter than their Content-Length."""
    port = int(base.rsplit(":", 1)[1])
    held = []
    for i in range(4):
        sock = socket.create_connection(("127.0.0.1", port))
        if i % 2:
            sock.sendall(f"GET {FIND} HTTP/1.1\r\nHost: x\r\napikey: demo-partner-key\r\n".encode())
        else:
            sock.sendall(f"POST {INVITE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         "Content-Length: 1000\r\n\r\n{\"consumerEmail\"".encode())
        held.append(sock)
    return held


def read_answer(sock):
    """The raw answer on ``sock`` until the server closes it (b'' if it closed without one)."""
    sock.settimeout(30)
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_a_normal_request_is_answered_before_any_half_sent_one(impatient):
    held = half_sent(impatient)
    selector = selectors.DefaultSelector()
    for sock in held:
        selector.register(sock, selectors.EVENT_READ)
    try:
        response = requests.get(impatient + FIND, headers=APIKEY, timeout=20)
        assert response.status_code == 200
        assert response.json()["id"] == "507f191e810c19729de860ea"
        # None of the held connections had been answered when the normal request was.
        assert selector.select(timeout=0) == []
        answers = [read_answer(sock) for sock in held]
    finally:
        selector.close()
        for sock in held:
            sock.close()
    bodies_cut = [answers[0], answers[2]]
    for raw in bodies_cut:  # the body never arrived: 408 in the API's error shape, then closed
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), raw[:200]
        error = json.loads(body)
        assert error["errorCode"] == 1008 and error["message"] == "Request timeout"
        assert error["details"] == ("the request body of the 1000 bytes declared in Content-Length did not "
                                    "arrive within 1 s; send the whole body at once, or check the "
                                    "Content-Length header")
    for raw in (answers[1], answers[3]):  # headers never finished: closed, no request reached the app
        assert not raw.startswith(b"HTTP/1.1 2"), raw[:200]


def test_a_body_that_never_arrives_is_journaled_as_408(impatient):
    requests.delete(impatient + "/_mock/journal", timeout=10).raise_for_status()
    port = int(impatient.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"POST {INVITE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 50\r\n\r\n{".encode())
        assert read_answer(sock).startswith(b"HTTP/1.1 408")
    entries = requests.get(impatient + "/_mock/journal", timeout=10).json()["entries"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [("POST", INVITE, 408)]


def test_a_declared_body_past_the_limit_is_refused_unread(impatient):
    port = int(impatient.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"POST {INVITE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {10 ** 12}\r\n\r\n".encode())
        raw = read_answer(sock)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), raw[:200]
    error = json.loads(body)
    assert error["errorCode"] == 1013
    assert error["details"] == f"the request body is too large (at most {64 * 1024 * 1024} bytes)"


def test_a_latency_fault_does_not_hold_the_worker(impatient):
    """One worker: a request delayed 3 s by a fault rule, then a normal one sent after it; the
    normal one is answered first, and the delayed one still gets its answer."""
    rule = requests.post(impatient + "/_mock/faults", json={"path": "/v1/business-units/*", "latencyMs": 3000,
                                                            "times": 1}, timeout=10)
    assert rule.status_code == 201, rule.text
    finished = []

    def delayed():
        response = requests.get(impatient + "/v1/business-units/507f191e810c19729de860ea", headers=APIKEY,
                                timeout=30)
        finished.append(("delayed", response.status_code))

    thread = threading.Thread(target=delayed)
    thread.start()
    try:
        # The delayed request reached the worker (the rule fired) before the normal one is sent.
        for _ in range(200):
            rules = requests.get(impatient + "/_mock/faults", timeout=10).json()["rules"]
            if rules and rules[0]["fired"] == 1 or not rules:
                break
            threading.Event().wait(0.02)
        response = requests.get(impatient + FIND, headers=APIKEY, timeout=30)
        finished.append(("normal", response.status_code))
    finally:
        thread.join(30)
    assert finished == [("normal", 200), ("delayed", 200)]


@pytest.mark.parametrize("value", ["soon", "0", "-3", "7200"])
def test_a_read_timeout_that_is_not_a_number_of_seconds_stops_serve(value):
    result = subprocess.run([sys.executable, "-m", "mock_server.cli", "serve", "--port", str(free_port()),
                             "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "TRUSTPILOT_MOCK_READ_TIMEOUT": value})
    assert result.returncode == 2
    assert result.stderr.strip() == ("trustpilot-mock serve: TRUSTPILOT_MOCK_READ_TIMEOUT must be a number of "
                                     f"seconds above 0 and at most 3600, got {value!r}")
    assert result.stdout == ""


def test_journal_entries_survive_kill_9(tmp_path):
    """Entries wait in a file beside the state (state/waiting.py) until the journal is read: a
    server killed with SIGKILL right after answering loses none of them."""
    state = tmp_path / "state.db"
    proc, base = start_server("--workers", "2", "--state", str(state), env={"TRUSTPILOT_MOCK_READ_TIMEOUT": "5"})
    try:
        statuses = [requests.get(base + FIND, headers=APIKEY, timeout=10).status_code for _ in range(30)]
        assert statuses == [200] * 30
    finally:
        for pid in _tree(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert (tmp_path / "state.db-requests").stat().st_size > 0  # nothing was moved into the table yet
    proc, base = start_server("--workers", "2", "--state", str(state))
    try:
        entries = requests.get(base + "/_mock/journal?limit=100", timeout=10).json()["entries"]
    finally:
        stop_server(proc)
    finds = [e for e in entries if e["path"] == "/v1/business-units/find"]
    assert len(finds) == 30 and {e["status"] for e in finds} == {200}
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)


def _tree(pid):
    """``pid`` and every descendant (the server's workers), read from /proc."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            children = open(f"/proc/{current}/task/{current}/children").read().split()
        except OSError:
            continue
        pending += [int(child) for child in children]
    return found
