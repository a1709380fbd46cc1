"""The one way to reach state: sandboxes keyed by name, created lazily under a lock.

Only the ``default`` sandbox exists for now; several named sandboxes on one server are
planned (issue 5), which is why every view asks the registry instead of holding a sandbox.
"""

import threading

from .sandbox import Sandbox
from .store import Store


class Registry:
    def __init__(self, scenario, state_path=None, fresh=False):
        """``scenario``: the parsed default world; ``state_path``: SQLite file, or None for memory."""
        self._scenario = scenario
        self._state_path = state_path
        self._fresh = fresh
        self._sandboxes = {}
        self._lock = threading.Lock()

    def get(self, name="default"):
        sandbox = self._sandboxes.get(name)
        if sandbox is None:
            with self._lock:
                sandbox = self._sandboxes.get(name)
                if sandbox is None:
                    sandbox = Sandbox(name, Store(self._state_path), self._scenario, fresh=self._fresh)
                    self._sandboxes[name] = sandbox
        return sandbox

    def close(self):
        """Close this process's connections (before gunicorn forks its workers)."""
        for sandbox in self._sandboxes.values():
            sandbox.store.close()
