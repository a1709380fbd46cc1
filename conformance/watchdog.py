"""Kill the integration's processes when the kit dies without cleaning up (kill -9, a CI timeout).

The kit starts every service and trigger in a process group of its own, so they outlive it if
it is killed outright. This small process, started once per run, watches the kit; when the kit
is gone it kills every process group still listed in the run's registry file, then exits. It
also exits when the registry file is removed (the run ended and cleaned up itself).

    python -m conformance.watchdog KIT_PID REGISTRY_FILE
"""

import os
import signal
import subprocess
import sys
import time

POLL_SECONDS = 0.5


def start(registry):
    """Start the watchdog for this process and ``registry`` (a file of process group ids)."""
    return subprocess.Popen([sys.executable, "-m", "conformance.watchdog", str(os.getpid()), str(registry)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # not in the kit's group: a Ctrl-C there must not end it


def main(kit_pid, registry):
    while os.path.exists(registry):
        if not _alive(kit_pid):
            for group in _groups(registry):
                try:
                    os.killpg(group, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            os.unlink(registry)
            return 0
        time.sleep(POLL_SECONDS)
    return 0


def _alive(pid):
    """Whether the kit still runs: it exists and is not a zombie (killed, not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _groups(registry):
    try:
        with open(registry) as handle:
            return {int(line) for line in handle if line.strip().isdigit()}
    except OSError:
        return set()


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2]))
