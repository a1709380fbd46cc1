"""The request journal: what every caller asked and got, secrets redacted, bounded in size."""

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
        """Append one request (already redacted by the caller); keeps the newest ``journalLimit``."""
        with self.store.transaction() as db:
            now = self.clock.now(db)
            entry = {**entry, "time": iso(now), "at": round(now, 3)}
            cursor = db.execute("INSERT INTO journal (entry) VALUES (?)", (json.dumps(entry),))
            limit = self.settings(db)["journalLimit"]
            db.execute("DELETE FROM journal WHERE seq <= ?", (cursor.lastrowid - limit,))

    def list_journal(self, since=0, limit=100):
        with self.store.read() as db:
            rows = db.execute("SELECT seq, entry FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
                              (since, limit)).fetchall()
            newest = db.execute("SELECT max(seq) FROM journal").fetchone()[0] or 0
        entries = [{"seq": row["seq"], **json.loads(row["entry"])} for row in rows]
        return {"entries": entries, "newestSeq": newest}

    def clear_journal(self):
        with self.store.transaction() as db:
            db.execute("DELETE FROM journal")
