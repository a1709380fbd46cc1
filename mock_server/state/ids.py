"""Every generated id comes from here: the world's from its seed, minted secrets from the OS.

World loading uses a ``random.Random(seed)`` stream (same seed, same world). What is minted at
run time (tokens, authorization codes, customer keys and secrets, the ids of what requests
create) comes from ``secrets``: unguessable, so a value minted in one sandbox is never valid in
another, nor again after a reset or a world load. The setting ``insecureDeterministicSecrets``
(README: Security) brings back sha256(seed, counter) values for snapshot tests: anyone who knows
the scenario's seed can then compute every token, so it is for tests on a private machine only.
"""

import hashlib
import random
import secrets
import uuid

from .store import note_volatile

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


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
            return secrets.token_hex(12)
        return self._digest(db, kind)[:12].hex()

    def fresh_object_id(self, kind):
        """object_id outside any transaction: the deterministic stream counts in one of its own."""
        note_volatile()
        with self._store.read() as db:
            deterministic = self._deterministic(db)
        if not deterministic:
            return secrets.token_hex(12)
        with self._store.transaction() as db:
            return self._digest(db, kind)[:12].hex()
