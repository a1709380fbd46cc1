"""The request journal: what every caller asked and got, secrets redacted, bounded in size.

A request never commits to the world's database to be journaled (a commit per request cost
more than the rest of a find call, and emptied every other worker's cache: store.py):
  * each entry is appended to the sandbox's waiting list (``waiting.py``): for a file store, a
    file beside the database that every worker appends to under a lock, so an entry is on disk
    (kill -9 loses nothing) and in order before its response is sent; for a memory store, a
    list in this process;
  * the waiting entries move into the ``journal`` table in one transaction when they reach
    BATCH_BYTES, and before every read of the journal: a read sees every request answered
    before it, whichever worker answered it. Entries get their ``seq`` as they move, in the
    order they were appended, so a ``seq`` once shown never changes;
  * each move keeps the newest ``journalLimit`` rows.
"""

import json
from urllib.parse import parse_qsl

from ..web.json_output import encode
from .clock import iso
from .waiting import waiting_list

# Query and form fields whose values are secrets; the journal keeps the name, not the value.
SECRET_FIELDS = {"password", "client_secret", "apisecret", "api_secret", "token", "access_token",
                 "refresh_token", "code", "secret"}
REDACTED = "***"


def redact_pairs(pairs):
    return [(k, REDACTED if k.lower() in SECRET_FIELDS else v) for k, v in pairs]


def redact_query(query_string):
    return redact_pairs(parse_qsl(query_string, keep_blank_values=True)) if query_string else []


BATCH_BYTES = 64 * 1024  # waiting entries (about 250) moved into the table in one transaction
INSERT = "INSERT INTO journal (entry) VALUES (?)"
_compact = json.JSONEncoder(separators=(",", ":")).encode  # compact: 7% fewer bytes kept per entry


def _encode(entry):
    """Compact JSON text of an entry: orjson's (a tenth of the time), the standard library's
    for what orjson refuses (an integer past 64 bits in a redacted form, a lone surrogate)."""
    data = encode(entry)
    return _compact(entry) if data is None else data.decode()


class Journal:
    """The journal of one sandbox."""

    def __init__(self, store, clock, settings, access):
        """``access`` summarises each request's credentials (AccessRules.describe_credentials)."""
        self.store = store
        self.clock = clock
        self.settings = settings
        self.access = access
        self.waiting = waiting_list(store)

    def record_request(self, entry):
        """Append one request (already redacted by the caller). ``entry["credentials"]`` is the
        request's Credentials; the journal keeps their summary (describe_credentials)."""
        with self.store.read() as db:
            line = _encode(self._complete_entry(db, entry))
        if self.waiting.append(line) >= BATCH_BYTES:
            self.write_waiting()

    def list_journal(self, since=0, limit=100):
        self.write_waiting()
        with self.store.read() as db:
            newest = db.execute("SELECT max(seq) FROM journal").fetchone()[0] or 0
            oldest_shown = newest - self.settings.current(db)["journalLimit"]
            rows = db.execute("SELECT seq, entry FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
                              (max(since, oldest_shown), limit)).fetchall()
        entries = [{"seq": row["seq"], **json.loads(row["entry"])} for row in rows]
        return {"entries": entries, "newestSeq": newest}

    def clear_journal(self):
        with self.store.transaction(world=False) as db:
            self.empty(db)

    def _complete_entry(self, db, entry):
        now = self.clock.stamp(db)
        return {**entry, "credentials": self.access.describe_credentials(db, entry["credentials"]),
                "time": iso(now), "at": round(now, 3)}

    def write_waiting(self):
        """Move the waiting entries into the table, then keep the newest ``journalLimit`` rows.
        The transaction is taken before the waiting list's lock, as empty() takes them."""
        if not self.waiting.maybe_waiting():
            return
        with self.store.transaction(world=False) as db:  # no worker's cache need drop anything
            lines = self.waiting.take_all()
            if not lines:
                return
            db.executemany(INSERT, [(line,) for line in lines])
            newest = db.execute("SELECT max(seq) FROM journal").fetchone()[0]
            db.execute("DELETE FROM journal WHERE seq <= ?", (newest - self.settings.current(db)["journalLimit"],))

    def empty(self, db):
        """Delete every entry, waiting ones too, in the caller's transaction. A world load calls
        write_waiting before its transaction, so a load that fails loses no entry."""
        db.execute("DELETE FROM journal")
        self.waiting.take_all()
