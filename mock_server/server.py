"""Serve the emulator under granian: load the world once in the master, then fork workers.

The workers share the world through one SQLite file (WAL). Without ``--state`` the file is
temporary and removed at exit; with it, the world survives restarts.

granian (a Rust HTTP server) reads requests and writes answers off the Python thread, keeps
connections alive, and hands each worker's Python code only whole requests (rsgi.py). It was
chosen by measurement (bench/http_throughput.py; README, "How it runs" and the benchmarks).
"""

import os
import shutil
import socket
import sys
import tempfile
import threading
import time

from .app import create_app
from .banner import banner
from .control_access import DASHBOARD, HEADER, control_token_for
from .ports import reserve
from .rsgi import WsgiOverRsgi
from .progress import TerminalProgress


# Seconds a client may take to send its headers, then its body (TRUSTPILOT_MOCK_READ_TIMEOUT).
# Emulator decision: the real gateway's limit is unpublished; 30 s is generous for any client
# that means to finish, and short enough that a stalled one is told (408) within a test's run.
READ_TIMEOUT_ENV = "TRUSTPILOT_MOCK_READ_TIMEOUT"
DEFAULT_READ_TIMEOUT = 30.0
# "off": every request runs the app, none is answered from a kept answer (web/replay.py).
REPLAY_ENV = "TRUSTPILOT_MOCK_REPLAY"


def serve(world, host, port, workers, state_path=None, reset=False, quiet=False, control_token=None):
    """Serve ``world`` until stopped; 0 on a clean stop. Raises PortUnavailable before printing
    anything when host:port cannot be bound."""
    read_timeout = read_timeout_seconds()  # a bad setting fails before anything starts
    replay = replay_answers()
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
                      "CONTROL_TOKEN": control_token, "LOAD_PROGRESS": progress, "REPLAY_ANSWERS": replay})
    progress.finish()
    sandbox = app.extensions["sandboxes"].get("default")
    if resuming:
        # Always said, even with --quiet: a partner who edited the scenario must know whether it was loaded.
        print(restart_message(sandbox, state_path), file=sys.stderr, flush=True)
    state = sandbox.control.get_sandbox_state() if not quiet else None

    def announce():
        """Printed once a worker listens: a caller that connects once the banner or the port is
        printed is answered, never refused."""
        if quiet and asked_port == 0:  # the chosen port is the one thing a caller cannot guess
            print(f"Serving on http://{_display_host(host)}:{port}", flush=True)
        if not quiet:
            print(banner(state, world, f"http://{_display_host(host)}:{port}",
                         state_path if tmpdir is None else None), flush=True)
        if generated:  # printed once, even with --quiet: without it the operator is locked out of /_mock
            print(f"Control-plane token (header {HEADER}, or open {DASHBOARD}?token=... in a browser): "
                  f"{control_token}", flush=True)

    app.extensions["sandboxes"].close()  # no SQLite connection may cross the fork
    master = os.getpid()
    try:
        _run_granian(app, listener, workers, read_timeout, announce)
    finally:
        # Only the master may remove the state the workers use (a forked worker ends with
        # os._exit and never gets here; the check keeps it so if that changes).
        if tmpdir and os.getpid() == master:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return 0


def _run_granian(app, listener, workers, read_timeout, announce):
    """Serve ``app`` with ``workers`` forked processes, each listening on its own socket bound to
    ``listener``'s address (SO_REUSEPORT); ``announce()`` once one of them answers."""
    HTTPModes, HTTP1Settings, Interfaces, MPServer = _import_granian()

    host, port = listener.getsockname()[:2]
    adapter = WsgiOverRsgi(app, read_timeout, app.config["MAX_CONTENT_LENGTH"])
    server = MPServer("mock_server", address=host, port=port, interface=Interfaces.RSGI, workers=workers,
                      http=HTTPModes.http1, websockets=False, backlog=2048, log_level="warning",
                      log_access=False, respawn_failed_workers=True, workers_kill_timeout=STOP_SECONDS,
                      http1_settings=HTTP1Settings(header_read_timeout=int(read_timeout * 1000)))
    threading.Thread(target=_when_listening, args=(listener, announce), daemon=True).start()
    server.serve(target_loader=lambda _target: adapter)


# Optional packages granian looks for as it is imported, for features serve never turns on
# (.env files, reloading, anyio's task groups): where other tools installed them, importing them
# was a tenth of the start-up (bench/startup.py).
_UNUSED_BY_SERVE = ("anyio", "dotenv", "watchfiles")


def _import_granian():
    hidden = [name for name in _UNUSED_BY_SERVE if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # import fails at once: granian takes the package as absent
    try:
        from granian.constants import HTTPModes, Interfaces
        from granian.http import HTTP1Settings
        from granian.server import MPServer
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
    return HTTPModes, HTTP1Settings, Interfaces, MPServer


def _when_listening(listener, announce, deadline=60.0):
    """Wait for a worker to accept a connection, then let the reserved socket go and announce."""
    address = listener.getsockname()
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(address[0], address[0])
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        try:
            with socket.create_connection((host, address[1]), timeout=1):
                break
        except OSError:
            time.sleep(0.005)
    listener.close()
    announce()


# A worker that has not stopped this long after the master asked is killed. A signal sent to the
# whole process group (Ctrl-C, pkill) can reach a worker the master is just respawning before it
# listens for it, and that worker then waits for ever: the master's stop must not.
STOP_SECONDS = 5


class InvalidSetting(ValueError):
    """An environment setting of serve that cannot be used."""


def read_timeout_seconds():
    value = os.environ.get(READ_TIMEOUT_ENV)
    if value is None:
        return DEFAULT_READ_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 3600:
        raise InvalidSetting(f"{READ_TIMEOUT_ENV} must be a number of seconds above 0 and at most 3600, got {value!r}")
    return seconds


def replay_answers():
    value = os.environ.get(REPLAY_ENV, "on")
    if value not in ("on", "off"):
        raise InvalidSetting(f"{REPLAY_ENV} must be 'on' or 'off', got {value!r}")
    return value == "on"


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
