"""How often the world, and each watched table, has been written: counters shared by every
connection to one state file, so a connection learns what changed since its last read without
asking SQLite (store.py).

Why not SQLite's ``PRAGMA data_version``: it needs a statement inside a transaction, so every
request paid BEGIN, the pragma and COMMIT before it could use a cached value, and each statement
lets go of the GIL, which the HTTP server's threads then take (about 7 us a statement under
load). It also moves on any commit at all, the journal's included, and then says nothing of what
changed: every worker dropped its whole cache whenever another moved its journal entries.

The counters are 64-bit words in a small file (``<db>-stamps``) mapped into each process's
memory: reading them is a memory read. Only a writer holding the store's writer lock adds to
them, after its COMMIT and before it lets the lock go, so no two increments race and a reader
that sees a counter unchanged has seen no commit it counts that ended before the read.

Readers only ever compare counters for equality, so the world's counter may also be set,
without the lock, to a fresh random value (``touch_world``: a row appended to the waiting rows,
store.py): it then differs from every value a reader kept, whichever writer wins a race. A
reader that catches the word half-written is reading while that write is still being made,
before its answer: it may see it or not.

One more word, after the counters, says whether rows wait in the store's waiting-rows file
(``rows_waiting``): set under that file's shared lock by each append, cleared under its
exclusive lock by the move that takes them, so it is never clear while a row waits.
"""

import mmap
import os
import random
import struct

SUFFIX = "-stamps"
WORLD = 0  # the first counter: any write to the world (the journal's moves excepted)
_MASK = (1 << 64) - 1
_FLAG = struct.Struct("<Q")
# This process's own stream: a fixed seed given to the random module elsewhere must not make two
# workers touch the world with the same values.
_random = random.Random()
os.register_at_fork(after_in_child=_random.seed)


class ChangeStamps:
    def __init__(self, path, tables):
        """``tables``: the watched tables, each with a counter after WORLD's, in this order."""
        self.index = {table: position for position, table in enumerate(tables, start=1)}
        self._words = struct.Struct(f"<{len(tables) + 1}Q")
        self._flag_at = self._words.size
        size = self._words.size + _FLAG.size
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            if os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)  # new words read 0
            # Shared: a fork keeps the mapping, and other processes map the same pages.
            self._map = mmap.mmap(fd, size)
        finally:
            os.close(fd)

    def read(self):
        """The counters now: a tuple, WORLD's first."""
        return self._words.unpack_from(self._map)

    def add(self, tables, world):
        """Count one commit that wrote ``tables`` (watched tables' names), and the world if
        ``world``; the caller holds the writer lock. Returns (the counters before, after)."""
        before = self.read()
        after = list(before)
        if world:
            after[WORLD] = (after[WORLD] + 1) & _MASK  # a random value (touch_world) may be near the top
        for table in tables:
            after[self.index[table]] += 1
        after = tuple(after)
        if after != before:
            self._words.pack_into(self._map, 0, *after)
        return before, after

    def touch_world(self):
        """Count a write to the world without the writer lock (see the module docstring)."""
        _FLAG.pack_into(self._map, 0, _random.getrandbits(64))

    def rows_waiting(self):
        return _FLAG.unpack_from(self._map, self._flag_at)[0] != 0

    def set_rows_waiting(self, waiting):
        """Called holding the waiting-rows file's lock (shared to set, exclusive to clear)."""
        _FLAG.pack_into(self._map, self._flag_at, int(waiting))

    def changed_tables(self, old, new):
        """The watched tables whose counters differ between two reads."""
        return [table for table, position in self.index.items() if old[position] != new[position]]
