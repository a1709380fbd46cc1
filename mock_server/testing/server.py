"""Start and stop ``trustpilot-mock serve`` (granian) on a free loopback port, for tests."""

import os
import random
import socket
import subprocess
import sys
import tempfile
import time

import requests

START_TIMEOUT = 30


# The OS's randomness, never the random module's shared state: the explorer and hypothesis seed
# that, and two processes (two xdist workers, two kit runs) would then pick the same ports.
_PICK = random.SystemRandom()


def free_port():
    """A loopback port nobody listens on, for a server another process will bind in a moment.

    Taken below the system's range of ephemeral ports: a port from that range (what binding port 0
    gives) may meanwhile become the local port of an outgoing connection, and the server's bind
    then fails with "address already in use" (seen with the kit's integration services)."""
    low = _ephemeral_low()
    for _ in range(50):
        port = _PICK.randrange(max(1024, low - 12000), low) if low > 2048 else 0
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as text:
            return int(text.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0  # not Linux: let the system choose


class ServerProcess:
    """A running server: ``url``, ``stop()``; its output goes to a file shown if it fails to start."""

    def __init__(self, scenario_path=None, workers=2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile(mode="w+")
        cmd = [sys.executable, "-m", "mock_server.cli", "serve", "--port", str(self.port), "--workers", str(workers),
               "--quiet"]
        if scenario_path is not None:
            cmd += ["--scenario", str(scenario_path)]
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=dict(os.environ))
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"trustpilot-mock serve exited with {self.proc.returncode}:\n{self._output()}")
            try:
                requests.get(self.url + "/_mock/clock", timeout=0.5)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"trustpilot-mock serve on {self.url} did not answer within {START_TIMEOUT} s:\n"
                           f"{self._output()}")

    def _output(self):
        self._log.seek(0)
        return self._log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
