"""The one way to reach state: sandboxes keyed by name, opened lazily under a lock.

``default`` always exists. Named sandboxes (one per parallel CI job, say) are created and
deleted through the control plane; the list of them lives in the default sandbox's store, so
every worker process of a server agrees on which exist. Each has its own store (a file beside
the default one, or its own memory database), hence its own world, clock, journal and faults.
Deleting one removes its file and so frees its state.
"""

import os
import re
import threading

from . import errors
from .clock import iso
from .sandbox import Sandbox
from .store import ROWS_SUFFIX, STAMPS_SUFFIX, WRITER_LOCK_SUFFIX, Store, UnsupportedStateFile
from .waiting import SUFFIX as WAITING_SUFFIX

NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class Registry:
    def __init__(self, scenario, state_path=None, fresh=False, progress=None):
        """``scenario``: the parsed default world; ``state_path``: SQLite file, or None for memory;
        ``progress``: told of the reviews written while the default world loads (world.install)."""
        self._scenario = scenario
        self._progress = progress
        self._state_path = state_path
        self._fresh = fresh
        self._sandboxes = {}
        self._lock = threading.RLock()

    def get(self, name="default"):
        """The sandbox called ``name``; NotFound when no such sandbox exists (any more)."""
        if name == "default":
            return self._open_default()
        if not self._exists(name):
            self._forget(name)
            raise errors.NotFound(f"no sandbox named {name!r}; create it with POST /_mock/sandboxes "
                                  f'{{"name": "{name}"}}')
        with self._lock:
            if name not in self._sandboxes:
                self._sandboxes[name] = self._open_named(name)
            return self._sandboxes[name]

    def create_sandbox(self, name, scenario=None):
        """A new sandbox loaded with ``scenario`` (a parsed world) or the server's default world."""
        if not isinstance(name, str) or not NAME.fullmatch(name) or name == "default":
            raise errors.MalformedRequest(
                f"'name' must be 1-63 lowercase letters, digits and dashes, not starting with a dash, "
                f"and not 'default'; got {name!r}")
        default = self._open_default()
        with self._lock:
            if self._exists(name):
                raise errors.Conflict(f"a sandbox named {name!r} exists already; delete it first or pick another name")
            path = self._path_of(name)
            if path is not None:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                _remove_files(path)
            sandbox = Sandbox(name, Store(path), scenario or self._scenario, fresh=True)
            with default.store.transaction() as db:
                db.execute("INSERT INTO sandboxes (name, created_at) VALUES (?, ?)", (name, default.clock.now(db)))
            self._sandboxes[name] = sandbox
        return self.describe(name)

    def delete_sandbox(self, name):
        if name == "default":
            raise errors.Conflict("the default sandbox cannot be deleted; reset it with POST /_mock/reset")
        default = self._open_default()
        with self._lock:
            with default.store.transaction() as db:
                gone = db.execute("DELETE FROM sandboxes WHERE name = ?", (name,)).rowcount
            if not gone:
                raise errors.NotFound(f"no sandbox named {name!r}")
            self._forget(name)
            if self._path_of(name) is not None:
                _remove_files(self._path_of(name))

    def list_sandboxes(self):
        default = self._open_default()
        with default.store.read() as db:
            names = [row[0] for row in db.execute("SELECT name FROM sandboxes ORDER BY created_at, name")]
        return [self.describe("default")] + [self.describe(name) for name in names]

    def describe(self, name):
        sandbox = self.get(name)
        state = sandbox.control.get_clock()
        with sandbox.store.read() as db:
            scenario = sandbox.store.get_meta(db, "scenario") or {}
        created = None
        if name != "default":
            default = self._open_default()
            with default.store.read() as db:
                row = db.execute("SELECT created_at FROM sandboxes WHERE name = ?", (name,)).fetchone()
                created = iso(row[0]) if row else None
        return {"name": name, "scenario": scenario.get("name"), "now": state["now"], "createdAt": created,
                "prefix": "" if name == "default" else f"/_sandbox/{name}"}

    def close(self):
        """Close this process's connections (before serve forks its workers)."""
        for sandbox in self._sandboxes.values():
            sandbox.store.close()

    # -- internals ------------------------------------------------------------------------
    def _open_default(self):
        sandbox = self._sandboxes.get("default")
        if sandbox is None:
            with self._lock:
                if "default" not in self._sandboxes:
                    self._sandboxes["default"] = Sandbox("default", Store(self._state_path), self._scenario,
                                                         fresh=self._fresh, progress=self._progress)
                sandbox = self._sandboxes["default"]
        return sandbox

    def _open_named(self, name):
        """A named sandbox's store, opened (and migrated) on its first use in this process; a file
        of a newer release is the sandbox's problem, said to the caller, not a server error."""
        try:
            return Sandbox(name, Store(self._path_of(name)))
        except UnsupportedStateFile as exc:
            raise errors.Conflict(f"sandbox {name!r} cannot be opened: {exc} Or delete the sandbox "
                                  f"(DELETE /_mock/sandboxes/{name}) and create it again.") from None

    def _exists(self, name):
        default = self._open_default()
        with default.store.read() as db:
            # Asked by every request to a named sandbox: read once per connection (a watched table).
            return default.store.cached_row(db, ("sandbox", name), (("sandboxes", name),),
                                            "SELECT 1 FROM sandboxes WHERE name = ?", (name,)) is not None

    def _forget(self, name):
        with self._lock:
            sandbox = self._sandboxes.pop(name, None)
        if sandbox is not None:
            sandbox.store.close()

    def _path_of(self, name):
        if self._state_path is None:
            return None
        return os.path.join(f"{self._state_path}.sandboxes", f"{name}.db")


def _remove_files(path):
    for suffix in ("", "-wal", "-shm", "-journal", WAITING_SUFFIX, WRITER_LOCK_SUFFIX, STAMPS_SUFFIX, ROWS_SUFFIX):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
