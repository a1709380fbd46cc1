"""Serve the emulator under gunicorn: load the world once in the master, then fork workers.

The workers share the world through one SQLite file (WAL). Without ``--state`` the file is
temporary and removed at exit; with it, the world survives restarts.
"""

import os
import shutil
import sys
import tempfile

from gunicorn.app.base import BaseApplication

from .app import create_app
from .banner import banner
from .control_access import DASHBOARD, HEADER, control_token_for
from .ports import reserve
from .progress import TerminalProgress


class _Gunicorn(BaseApplication):
    def __init__(self, app, options):
        self._app, self._options = app, options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app


def serve(world, host, port, workers, state_path=None, reset=False, quiet=False, control_token=None):
    """Serve ``world`` until stopped; 0 on a clean stop. Raises PortUnavailable before printing
    anything when host:port cannot be bound."""
    asked_port = port
    listener = reserve(host, port)  # first: a taken port must fail before the world loads or the banner prints
    port = listener.getsockname()[1]
    tmpdir = None
    if state_path is None:
        tmpdir = tempfile.mkdtemp(prefix="trustpilot-sandbox-")
        state_path = os.path.join(tmpdir, "state.db")
    resuming = tmpdir is None and not reset and os.path.exists(state_path) and os.path.getsize(state_path) > 0
    control_token, generated = control_token_for(host, control_token)
    progress = TerminalProgress(world)
    app = create_app({"SCENARIO": world, "STATE_PATH": state_path, "FRESH_STATE": reset or tmpdir is not None,
                      "CONTROL_TOKEN": control_token, "LOAD_PROGRESS": progress})
    progress.finish()
    sandbox = app.extensions["sandboxes"].get("default")
    if resuming:
        # Always said, even with --quiet: a partner who edited the scenario must know whether it was loaded.
        print(restart_message(sandbox, state_path), file=sys.stderr, flush=True)
    # Listening from here on: the world is loaded, so a caller that connects once the banner or
    # the port is printed waits only for a worker, never for a refusal.
    listener.listen(2048)
    if quiet and asked_port == 0:  # the chosen port is the one thing a caller cannot guess
        print(f"Serving on http://{_display_host(host)}:{port}", flush=True)
    if not quiet:
        print(banner(sandbox.control.get_sandbox_state(), world, f"http://{_display_host(host)}:{port}",
                     state_path if tmpdir is None else None), flush=True)
    if generated:  # printed once, even with --quiet: without it the operator is locked out of /_mock
        print(f"Control-plane token (header {HEADER}, or open {DASHBOARD}?token=... in a browser): "
              f"{control_token}", flush=True)
    app.extensions["sandboxes"].close()  # no SQLite connection may cross the fork
    master = os.getpid()
    try:
        # gunicorn takes over the socket bound above (fd://) and listens on it.
        _Gunicorn(app, {"bind": f"fd://{listener.detach()}", "workers": workers, "preload_app": True,
                        "accesslog": None, "errorlog": "-", "loglevel": "warning",
                        "worker_class": "sync", "timeout": 60}).run()
    finally:
        # A worker leaves through here too (gunicorn ends a forked worker with SystemExit); only
        # the master may remove the state the others still use.
        if tmpdir and os.getpid() == master:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return 0


def restart_message(sandbox, state_path):
    """What a start over an existing state file did: resumed its world, or (the file held no
    complete world, e.g. an earlier start was killed while loading) loaded the --scenario file."""
    name = sandbox.control.get_sandbox_state()["scenario"]
    if sandbox.installed:
        return (f"Loaded the world {name!r} from the --scenario file: {state_path} held no complete world "
                "(an earlier start stopped while loading it?).")
    return (f"Resumed the world {name!r} kept in {state_path}; "
            "the --scenario file was not loaded (pass --reset to load it).")


def _display_host(host):
    return "127.0.0.1" if host in ("0.0.0.0", "") else host


if __name__ == "__main__":
    sys.exit("use: trustpilot-mock serve")
