"""The virtual clock: real time plus an offset that the control plane moves; one per sandbox.

The offset lives in the store so every worker process of a server sees the same time.
"""

import time
from datetime import datetime, timezone
from functools import lru_cache

from .store import note_volatile

# The virtual clock stays between these instants, so that every date renders as
# YYYY-MM-DDTHH:MM:SSZ: epoch seconds never negative, four-digit years with room for lifetimes.
EARLIEST = 0  # 1970-01-01T00:00:00Z
LATEST = 221845392000  # 9000-01-01T00:00:00Z


class Clock:
    def __init__(self, store):
        self._store = store

    def now(self, db):
        note_volatile()  # an answer read at one instant is not the answer at the next
        return self.stamp(db)

    def stamp(self, db):
        """now() without marking the request's answer volatile: for the journal's record of a
        request, and for checks that say instead how long their answer holds (note_valid_until)."""
        return time.time() + self._store.get_meta(db, "clock_offset", 0.0)

    def advance(self, db, seconds):
        self._store.set_meta(db, "clock_offset", self._store.get_meta(db, "clock_offset", 0.0) + seconds)

    def start_at(self, db, epoch_seconds):
        """Make 'now' equal the given instant (a scenario's clock start)."""
        self._store.set_meta(db, "clock_offset", epoch_seconds - time.time())


def iso(epoch_seconds):
    """Trustpilot's date-time format: whole seconds, 'Z' suffix (clients crash on '.000Z')."""
    return _iso_second(int(epoch_seconds))


@lru_cache(maxsize=64)  # each journal entry formats the current second: ~2 us to format, 0.1 us to recall
def _iso_second(seconds):
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text):
    """Parse an ISO-8601 instant; a value without zone is UTC. Raises ValueError."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()
