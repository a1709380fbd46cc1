"""Sending webhook deliveries: one daemon thread per sandbox per process, woken after a change.

How a delivery moves: ``pending`` -> an attempt (a POST of its JSON event) -> ``delivered`` on
2xx, else ``pending`` again with a real-time wait of 0.5 s, 1 s, 2 s, 4 s, ... -> ``failed``
once it has had ``maxAttempts`` attempts. Every attempt is recorded in the store (virtual
time, status code or error), so each worker shows the same history.

Processes: the thread is started lazily by the process that handled the request (a server
worker, never the master before the fork). An attempt first claims its delivery in a write
transaction (a random claim token and a lease of ``LEASE_SECONDS``), so two workers never
send the same attempt, and records its outcome only while it still holds the claim (a reset
or a world load in between makes the outcome vanish with the delivery). A process that dies
leaves its deliveries pending: once the lease and the wait have run out, the next wake-up in
any process (a consumer activity, a retry, or listing the deliveries) sends them.
"""

import logging
import os
import threading
import time
import uuid

import requests

from .clock import iso
from .webhooks import FIRST_RETRY_SECONDS, LEASE_SECONDS
from .store import insert

TIMEOUT = (2, 5)  # connect, read: a slow receiver fails the attempt, it never stalls the thread
HEADERS = {"Content-Type": "application/json", "User-Agent": "trustpilot-sandbox-webhooks/1"}
log = logging.getLogger(__name__)


class Deliverer:
    """The delivery thread of one sandbox in this process; ``wake()`` returns at once."""

    def __init__(self, sandbox):
        self.pid = os.getpid()
        self._sandbox = sandbox
        self._lock = threading.Lock()
        self._woken = threading.Event()
        self._thread = None

    def wake(self):
        with self._lock:
            self._woken.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name=f"webhooks-{self._sandbox.name}")
                self._thread.start()

    def _run(self):
        try:
            while True:
                self._woken.clear()
                while attempt_one(self._sandbox):
                    pass
                wait = seconds_until_due(self._sandbox)
                if wait is None:
                    with self._lock:  # a wake() now either sees this thread alive or set the event first
                        if not self._woken.is_set():
                            self._thread = None
                            return
                    continue
                self._woken.wait(wait)
        except Exception:  # the store went away (a closed test app); the next wake() starts afresh
            log.exception("webhook delivery thread stopped")


def attempt_one(sandbox):
    """Claim one due delivery, POST it, record the outcome; False when none is due."""
    claimed = _claim(sandbox)
    if claimed is None:
        return False
    status_code, error = _post(claimed["url"], claimed["payload"])
    _record(sandbox, claimed, status_code, error)
    return True


def seconds_until_due(sandbox):
    """Real seconds until the next pending delivery may be attempted; None when none is pending."""
    with sandbox.store.read() as db:
        due = db.execute("SELECT min(max(due_at, coalesce(lease_until, 0))) FROM webhook_deliveries "
                         "WHERE status = 'pending'").fetchone()[0]
    return None if due is None else max(0.0, due - time.time())


def _claim(sandbox):
    now = time.time()
    with sandbox.store.transaction() as db:
        row = db.execute("SELECT seq, id, url, payload FROM webhook_deliveries WHERE status = 'pending' "
                         "AND due_at <= ? AND coalesce(lease_until, 0) <= ? ORDER BY due_at, seq LIMIT 1",
                         (now, now)).fetchone()
        if row is None:
            return None
        claim = uuid.uuid4().hex
        db.execute("UPDATE webhook_deliveries SET claim = ?, lease_until = ? WHERE seq = ?",
                   (claim, now + LEASE_SECONDS, row["seq"]))
        return {"id": row["id"], "url": row["url"], "payload": row["payload"], "claim": claim}


def _post(url, payload):
    """(status code, None) when the receiver answered, (None, what went wrong) when it did not."""
    try:
        response = requests.post(url, data=payload.encode(), headers=HEADERS, timeout=TIMEOUT,
                                 allow_redirects=False)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the receiver is the attempt's outcome
        return None, f"{type(exc).__name__}: {exc}"[:500]
    response.close()
    return response.status_code, None


def _record(sandbox, claimed, status_code, error):
    with sandbox.store.transaction() as db:
        row = db.execute("SELECT attempt_limit FROM webhook_deliveries WHERE id = ? AND claim = ?",
                         (claimed["id"], claimed["claim"])).fetchone()
        if row is None:
            return  # the world was reset or reloaded meanwhile
        number = db.execute("SELECT count(*) FROM webhook_attempts WHERE delivery_id = ?",
                            (claimed["id"],)).fetchone()[0] + 1
        insert(db, "webhook_attempts", delivery_id=claimed["id"], number=number, time=iso(sandbox.clock.now(db)),
               status_code=status_code, error=error)
        if error is None and 200 <= status_code < 300:
            status = "delivered"
        else:
            status = "failed" if number >= row["attempt_limit"] else "pending"
        db.execute("UPDATE webhook_deliveries SET status = ?, due_at = ?, lease_until = NULL, claim = NULL "
                   "WHERE id = ?", (status, time.time() + FIRST_RETRY_SECONDS * 2 ** (number - 1), claimed["id"]))
