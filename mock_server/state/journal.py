"""The request journal: what every caller asked and got, secrets redacted, bounded in size.

The journal shows the newest ``journalLimit`` entries. Rows older than that are deleted every
``journalLimit // 100`` inserts rather than on each one (one statement saved per request), so
the table holds at most 1% more rows than it shows; reads never show them.
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
    return redact_pairs(parse_qsl(query_string, keep_blank_values=True))


class JournalOps:
    """Mixin of Sandbox."""

    def record_request(self, entry):
        """Append one request (already redacted by the caller). ``entry["credentials"]`` is the
        request's Credentials; the journal keeps their summary (describe_credentials), read in
        the same transaction as the write."""
        with self.store.transaction() as db:
            now = self.clock.now(db)
            entry = {**entry, "credentials": self.describe_credentials(db, entry["credentials"]),
                     "time": iso(now), "at": round(now, 3)}
            seq = db.execute("INSERT INTO journal (entry) VALUES (?)", (json.dumps(entry),)).lastrowid
            limit = self.settings(db)["journalLimit"]
            if seq % max(1, limit // 100) == 0:
                db.execute("DELETE FROM journal WHERE seq <= ?", (seq - limit,))

    def list_journal(self, since=0, limit=100):
        with self.store.read() as db:
            newest = db.execute("SELECT max(seq) FROM journal").fetchone()[0] or 0
            oldest_shown = newest - self.settings(db)["journalLimit"]  # older rows await the next trim
            rows = db.execute("SELECT seq, entry FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
                              (max(since, oldest_shown), limit)).fetchall()
        entries = [{"seq": row["seq"], **json.loads(row["entry"])} for row in rows]
        return {"entries": entries, "newestSeq": newest}

    def clear_journal(self):
        with self.store.transaction() as db:
            db.execute("DELETE FROM journal")
