"""Every generated id comes from here: the world's from its seed, minted secrets from the OS.

World loading uses a ``random.Random(seed)`` stream (same seed, same world). What is minted at
run time (tokens, authorization codes, customer keys and secrets, the ids of what requests
create) comes from ``secrets``: unguessable, so a value minted in one sandbox is never valid in
another, nor again after a reset or a world load. The setting ``insecureDeterministicSecrets``
(README: Security) brings back sha256(seed, counter) values for snapshot tests: anyone who knows
the scenario's seed can then compute every token, so it is for tests on a private machine only.
"""

import hashlib
import os
import random
import secrets
import threading
import uuid

from .store import note_volatile

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class _OsRandom:
    """Bytes from os.urandom, taken 4 KiB at a time: each os.urandom is a system call that lets
    go of the GIL, which under ``serve`` the HTTP server's thread then holds (store.py). Never
    shared: each byte is handed out once, under a lock, and a forked child starts afresh (it
    would otherwise mint its parent's next ids)."""

    SIZE = 4096

    def __init__(self):
        self._forget()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self):
        self._lock = threading.Lock()  # a thread of the parent may have held it at the fork
        self._buffer, self._at = b"", 0

    def hex(self, nbytes):
        with self._lock:
            if self._at + nbytes > len(self._buffer):
                self._buffer, self._at = os.urandom(self.SIZE), 0
            taken = self._buffer[self._at:self._at + nbytes]
            self._at += nbytes
        return taken.hex()


_os_random = _OsRandom()


class SeededIds:
    """Deterministic ids from a ``random.Random``; used while loading a world."""

    def __init__(self, seed):
        self.random = random.Random(seed)

    def object_id(self):
        return "%024x" % self.random.getrandbits(96)

    def uuid(self):
        return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    def token(self, length=24):
        return "".join(self.random.choice(ALPHABET) for _ in range(length))


class RuntimeIds:
    """Ids minted while serving: OS randomness, or (opted in, insecure) sha256(seed, counter)."""

    def __init__(self, store):
        self._store = store

    def _deterministic(self, db):
        settings = self._store.get_meta(db, "settings", None) or {}
        return bool(settings.get("insecureDeterministicSecrets"))

    def _digest(self, db, kind):
        counter = self._store.get_meta(db, "id_counter", 0) + 1
        self._store.set_meta(db, "id_counter", counter)
        seed = self._store.get_meta(db, "seed", 0)
        return hashlib.sha256(f"{seed}:{kind}:{counter}".encode()).digest()

    def token(self, db, kind, length=24):
        note_volatile()  # a fresh id each time: never replayed
        if not self._deterministic(db):
            return "".join(secrets.choice(ALPHABET) for _ in range(length))
        digest = self._digest(db, kind)
        return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:length])

    def object_id(self, db, kind):
        note_volatile()
        if not self._deterministic(db):
            return _os_random.hex(12)
        return self._digest(db, kind)[:12].hex()

    def fresh_object_id(self, kind):
        """object_id outside any transaction: the deterministic stream counts in one of its own."""
        note_volatile()
        with self._store.read() as db:
            deterministic = self._deterministic(db)
        if not deterministic:
            return _os_random.hex(12)
        with self._store.transaction() as db:
            return self._digest(db, kind)[:12].hex()
