"""The request journal: what every caller asked and got, secrets redacted, bounded in size.

The journal shows the newest ``journalLimit`` entries; older rows are deleted in batches, not
one per request, and reads never show those still waiting to go:
  * a file store's entries are written as they come (another worker may read the journal
    next); every ``journalLimit // 100`` inserts the rows past the limit are deleted, so the
    table holds at most 1% more rows than the journal shows;
  * a memory store's entries wait in the sandbox, BATCH at most, and are written in one
    transaction, then the table is cut to the limit: a transaction per request cost more than
    all else the journal does. Only this process can read that store, and every read of the
    journal writes the waiting entries first.
"""

import json
from urllib.parse import parse_qsl

from .clock import iso

# Query and form fields whose values are secrets; the journal keeps the name, not the value.
SECRET_FIELDS = {"password", "client_secret", "apisecret", "api_secret", "token", "access_token",
                 "refresh_token", "code", "secret"}
REDACTED = "***"


def redact_pairs(pairs):
    return [(k, REDACTED if k.lower() in SECRET_FIELDS else v) for k, v in pairs]


def redact_query(query_string):
    return redact_pairs(parse_qsl(query_string, keep_blank_values=True)) if query_string else []


BATCH = 100  # a memory store's journal entries written in one transaction
INSERT = "INSERT INTO journal (entry) VALUES (?)"
_encode = json.JSONEncoder(separators=(",", ":")).encode  # compact: 7% fewer bytes kept per entry


class Journal:
    """The journal of one sandbox."""

    def __init__(self, store, clock, settings, access):
        """``access`` summarises each request's credentials (AccessRules.describe_credentials)."""
        self.store = store
        self.clock = clock
        self.settings = settings
        self.access = access
        self._unwritten = []  # a memory store's entries waiting to be written

    def record_request(self, entry):
        """Append one request (already redacted by the caller). ``entry["credentials"]`` is the
        request's Credentials; the journal keeps their summary (describe_credentials)."""
        if self.store.path is None:
            with self.store.read() as db:  # a memory store's lock: held while the waiting list changes
                # Encoded when written: the entry is a new object nothing else holds.
                self._unwritten.append(self._complete_entry(db, entry))
                if len(self._unwritten) >= BATCH:
                    self.write_waiting()
            return
        with self.store.transaction() as db:
            seq = db.execute(INSERT, (_encode(self._complete_entry(db, entry)),)).lastrowid
            limit = self.settings.current(db)["journalLimit"]
            if seq % max(1, limit // 100) == 0:
                db.execute("DELETE FROM journal WHERE seq <= ?", (seq - limit,))

    def list_journal(self, since=0, limit=100):
        self.write_waiting()
        with self.store.read() as db:
            newest = db.execute("SELECT max(seq) FROM journal").fetchone()[0] or 0
            oldest_shown = newest - self.settings.current(db)["journalLimit"]  # a file store's await the next trim
            rows = db.execute("SELECT seq, entry FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
                              (max(since, oldest_shown), limit)).fetchall()
        entries = [{"seq": row["seq"], **json.loads(row["entry"])} for row in rows]
        return {"entries": entries, "newestSeq": newest}

    def clear_journal(self):
        with self.store.transaction() as db:
            self.empty(db)

    def _complete_entry(self, db, entry):
        now = self.clock.now(db)
        return {**entry, "credentials": self.access.describe_credentials(db, entry["credentials"]),
                "time": iso(now), "at": round(now, 3)}

    def write_waiting(self):
        """Write a memory store's waiting entries, then keep the newest ``journalLimit`` rows."""
        if not self._unwritten:
            return
        with self.store.transaction() as db:
            db.executemany(INSERT, [(_encode(entry),) for entry in self._unwritten])
            newest = db.execute("SELECT max(seq) FROM journal").fetchone()[0]
            db.execute("DELETE FROM journal WHERE seq <= ?", (newest - self.settings.current(db)["journalLimit"],))
            self._unwritten.clear()

    def empty(self, db):
        """Delete every entry, waiting ones too, in the caller's transaction. A world load calls
        write_waiting before its transaction, so a load that fails loses no entry."""
        db.execute("DELETE FROM journal")
        self._unwritten.clear()
