"""Every generated id comes from here: derived from the world's seed and a shared counter.

World loading uses a ``random.Random(seed)`` stream (same seed, same world); ids minted at run
time (tokens, codes, customer keys) hash the seed with a counter kept in the store, so
several worker processes never mint the same id and a replayed run mints the same ones.
"""

import hashlib
import random
import uuid

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
    """Ids minted while serving: sha256(seed, counter), the counter shared through the store."""

    def __init__(self, store):
        self._store = store

    def _digest(self, db, kind):
        counter = self._store.get_meta(db, "id_counter", 0) + 1
        self._store.set_meta(db, "id_counter", counter)
        seed = self._store.get_meta(db, "seed", 0)
        return hashlib.sha256(f"{seed}:{kind}:{counter}".encode()).digest()

    def token(self, db, kind, length=24):
        digest = self._digest(db, kind)
        return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:length])

    def object_id(self, db, kind):
        return self._digest(db, kind)[:12].hex()
