"""Test helpers for integrations built against the sandbox, with or without pytest.

``Sandbox.in_process()``, ``Sandbox.serve()`` or ``Sandbox.connect(url, name=...)`` give a
sandbox with base URLs, a ``requests`` session that reaches it, its control plane and journal
assertions. The pytest plugin (``mock_server.pytest_plugin``) builds its fixtures on these.
"""

from .client import ControlError, Sandbox, unique_name
from .journal import JournalAssertionError
from .wsgi import WSGIAdapter

__all__ = ["ControlError", "JournalAssertionError", "Sandbox", "WSGIAdapter", "unique_name"]
