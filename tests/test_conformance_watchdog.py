"""A kit killed outright (kill -9, a CI timeout) leaves none of the integration's processes behind."""

import signal
import subprocess
import sys
import time

from conformance import watchdog

from kit_helpers import reference_manifest


def _gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while watchdog._alive(pid):  # gone, or a zombie nobody reaped yet
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_service_dies_with_a_killed_kit(tmp_path):
    pid_file = tmp_path / "service.pid"

    def slow_service(data):
        data["service"]["command"] = f"echo $$ > {pid_file}; exec " + data["service"]["command"]
        data["triggers"]["showcase"] = {"run": "sleep 30", "timeoutSeconds": 60}
    manifest = reference_manifest(tmp_path, slow_service)
    kit = subprocess.Popen([sys.executable, "-m", "conformance.cli", "run", "--manifest", str(manifest),
                            "--only", "usecase.showcase", "--quiet"])
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)  # the check is now waiting on the sleeping trigger
    service = int(pid_file.read_text())
    kit.send_signal(signal.SIGKILL)
    kit.wait()
    assert _gone(service, 5), f"service {service} outlived the killed kit"
