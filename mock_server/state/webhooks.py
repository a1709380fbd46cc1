"""Webhooks: the world's subscriptions, review events published into a delivery outbox, and
the record of every delivery attempt (state/webhook_delivery.py does the sending).

An event is written as one pending delivery per matching subscription *inside* the
transaction that changed the review (an outbox): a rolled-back change publishes nothing, and
every worker process reads the same deliveries and attempts from the store.

Emulator decisions (undocumented on the real API): one event per request body (``events`` has
one element); ``tags`` are ``[{"group", "value"}]`` as on private reviews; links point at the
sandbox that served the change; retries wait 0.5 s, 1 s, 2 s, 4 s, ... of real time, up to
``settings.webhookMaxAttempts`` attempts in all; nothing emits ``service-review-deleted`` yet
(no operation deletes a review), but subscriptions may name it.
"""

import json
import threading
import time

from . import errors, this_process
from .clock import iso
from .store import insert

EVENT_NAMES = ("service-review-created", "service-review-updated", "service-review-deleted")
FIRST_RETRY_SECONDS = 0.5    # doubles after every failed attempt
LEASE_SECONDS = 60           # one attempt's claim; longer than any attempt's timeouts

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    position INTEGER PRIMARY KEY, url TEXT NOT NULL, events TEXT, business_unit_ids TEXT);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, subscription INTEGER NOT NULL, url TEXT NOT NULL,
    event_name TEXT NOT NULL, review_id TEXT NOT NULL, business_unit_id TEXT NOT NULL,
    payload TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, attempt_limit INTEGER NOT NULL,
    due_at REAL NOT NULL, lease_until REAL, claim TEXT);
CREATE INDEX IF NOT EXISTS webhook_deliveries_pending ON webhook_deliveries (due_at) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS webhook_attempts (
    delivery_id TEXT NOT NULL, number INTEGER NOT NULL, time TEXT NOT NULL, status_code INTEGER, error TEXT,
    PRIMARY KEY (delivery_id, number)) WITHOUT ROWID;
"""
TABLES = ("webhook_subscriptions", "webhook_deliveries", "webhook_attempts")
_ATTACH = threading.Lock()  # guards attaching a Deliverer to a sandbox, nothing else


def install_business_unit(db, unit, context):
    """Nothing per unit: subscriptions are world-wide and name their units."""


def install_world(db, scenario, now):
    for position, hook in enumerate(scenario.get("webhooks", [])):
        insert(db, "webhook_subscriptions", position=position, url=hook["url"],
               events=_json_or_null(hook.get("events")), business_unit_ids=_json_or_null(hook.get("businessUnitIds")))


class Webhooks:
    """Publish review events, show and retry deliveries, run the deliverer."""

    def __init__(self, name, store, clock, ids, settings):
        """``name``: the sandbox's (names the delivery thread); ``settings``: its Settings."""
        self.name = name
        self.store = store
        self.clock = clock
        self.ids = ids
        self.settings = settings

    def publish_review_event(self, db, event_name, review_id, base=""):
        """Queue ``event_name`` about ``review_id`` for every matching subscription (caller's transaction)."""
        if event_name not in EVENT_NAMES:
            raise ValueError(f"unknown webhook event {event_name!r}")
        row = db.execute("SELECT * FROM reviews WHERE id = ?", (review_id,)).fetchone()
        targets = [hook for hook in db.execute("SELECT * FROM webhook_subscriptions ORDER BY position")
                   if _matches(hook, event_name, row["business_unit_id"])]
        if not targets:
            return
        payload = json.dumps(_event(db, event_name, row, base))
        now, limit = self.clock.now(db), self._webhook_max_attempts(db)
        for hook in targets:
            db.execute("INSERT INTO webhook_deliveries (id, subscription, url, event_name, review_id, "
                       "business_unit_id, payload, status, created_at, attempt_limit, due_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                       (self.ids.object_id(db, "webhook-delivery"), hook["position"], hook["url"], event_name,
                        review_id, row["business_unit_id"], payload, iso(now), limit, time.time()))

    def list_webhook_deliveries(self):
        """Every delivery, oldest first, with its attempts; also resumes deliveries nobody is sending."""
        with self.store.read() as db:
            rows = db.execute("SELECT * FROM webhook_deliveries ORDER BY seq").fetchall()
            attempts = _attempts_by_delivery(db)
        self.deliver_pending_async()
        return {"deliveries": [_delivery(row, attempts.get(row["id"], [])) for row in rows]}

    def retry_webhook_delivery(self, delivery_id):
        """Send a delivered or failed delivery again, with a fresh allowance of attempts."""
        with self.store.transaction() as db:
            row = self._delivery_row(db, delivery_id)
            if row["status"] == "pending":
                raise errors.Conflict(f"delivery {delivery_id!r} is still pending; it is retried on its own")
            attempts = _attempts_by_delivery(db, delivery_id).get(delivery_id, [])
            db.execute("UPDATE webhook_deliveries SET status = 'pending', attempt_limit = ?, due_at = ?, "
                       "lease_until = NULL, claim = NULL WHERE id = ?",
                       (len(attempts) + self._webhook_max_attempts(db), time.time(), delivery_id))
            body = _delivery(self._delivery_row(db, delivery_id), attempts)
        self.deliver_pending_async()
        return body

    def deliver_pending_async(self):
        """Wake (or start) this process's delivery thread when a delivery is pending; never waits for it."""
        with self.store.read() as db:
            pending = db.execute("SELECT 1 FROM webhook_deliveries WHERE status = 'pending' LIMIT 1").fetchone()
        if pending:
            self._webhook_deliverer().wake()

    def _webhook_deliverer(self):
        # Per process: a server worker forked from the master must start its own thread.
        from .webhook_delivery import Deliverer

        deliverer = self.__dict__.get("_deliverer")
        if deliverer is None or deliverer.pid != this_process.pid:
            with _ATTACH:
                deliverer = self.__dict__.get("_deliverer")
                if deliverer is None or deliverer.pid != this_process.pid:
                    deliverer = self.__dict__["_deliverer"] = Deliverer(self)
        return deliverer

    def _webhook_max_attempts(self, db):
        return self.settings.current(db)["webhookMaxAttempts"]  # current() fills in the default

    def _delivery_row(self, db, delivery_id):
        row = db.execute("SELECT * FROM webhook_deliveries WHERE id = ?", (delivery_id,)).fetchone()
        if row is None:
            raise errors.NotFound(f"no webhook delivery has the id {delivery_id!r}")
        return row




def _matches(hook, event_name, unit_id):
    events, units = hook["events"], hook["business_unit_ids"]
    return (events is None or event_name in json.loads(events)) and (units is None or unit_id in json.loads(units))


def _event(db, event_name, row, base):
    """The documented event body (reference §3.6) for one review row."""
    tags = db.execute("SELECT grp, value FROM review_tags WHERE review_id = ? ORDER BY grp, value", (row["id"],))
    return {"events": [{"eventName": event_name, "version": "1", "eventData": {
        "id": row["id"], "language": row["language"], "stars": row["stars"], "title": row["title"],
        "text": row["text"], "locationId": row["location_id"], "referenceId": row["reference_id"],
        "createdAt": row["created_at"], "link": f"{base}/v1/reviews/{row['id']}", "isVerified": bool(row["verified"]),
        "consumer": {"id": row["consumer_id"], "name": row["consumer_name"],
                     "link": f"{base}/v1/consumers/{row['consumer_id']}"},
        "tags": [{"group": tag["grp"], "value": tag["value"]} for tag in tags]}}]}


def _attempts_by_delivery(db, delivery_id=None):
    sql = "SELECT * FROM webhook_attempts" + (" WHERE delivery_id = ?" if delivery_id else "")
    out = {}
    for row in db.execute(sql + " ORDER BY delivery_id, number", (delivery_id,) if delivery_id else ()):
        out.setdefault(row["delivery_id"], []).append(
            {"number": row["number"], "time": row["time"], "statusCode": row["status_code"], "error": row["error"]})
    return out


def _delivery(row, attempts):
    return {"id": row["id"], "subscription": row["subscription"], "url": row["url"], "eventName": row["event_name"],
            "reviewId": row["review_id"], "businessUnitId": row["business_unit_id"], "status": row["status"],
            "createdAt": row["created_at"], "maxAttempts": row["attempt_limit"], "attempts": attempts,
            "payload": json.loads(row["payload"])}


def _json_or_null(value):
    return None if value is None else json.dumps(value)
