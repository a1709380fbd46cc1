"""Drive the partner's integration: start its service, run its triggers, keep what it printed.

Everything here follows the manifest: commands run with the manifest's folder as working
directory and the sandbox's environment variables; placeholders are filled (shell-quoted in
commands, URL-quoted in URLs). Raw output stays in memory for the checks (the secrets check
must see it as printed); only redacted copies go into evidence (CheckContext.finish).
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import quote

import requests

from mock_server.testing.server import free_port

OUTPUT_LIMIT = 20000  # characters of one trigger's output kept as evidence


class IntegrationError(Exception):
    """The integration could not be driven at all (its service did not start); the check errors."""


@dataclass
class Outcome:
    """What one trigger did, raw (unredacted): the context turns it into a results.Trigger."""
    name: str
    target: str
    ok: bool
    outcome: str
    output: str
    seconds: float
    status: int | None = None        # HTTP triggers: the status; commands: the exit code
    url: str | None = None           # HTTP triggers: the final URL after redirects


class Integration:
    """One instance of the partner's integration, pointed at one sandbox world."""

    def __init__(self, manifest, workdir):
        self.manifest = manifest
        self.port = free_port() if manifest.service else None
        self.data_dir = os.path.join(workdir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self._log_path = os.path.join(workdir, "service.log")
        self.env = None
        self.service_command = None
        self._service = None

    def point_at(self, sandbox, partner):
        """Set the environment the manifest names to this sandbox and the partner's credentials."""
        self.env = self._environment(sandbox, partner)

    # -- placeholders and environment -------------------------------------------------------
    def fill(self, template, quoting=None, **values):
        values = {"python": sys.executable, "port": self.port, "data_dir": self.data_dir, **values}
        out = template
        for key, value in values.items():
            if value is None:
                continue
            text = str(value)
            out = out.replace("{" + key + "}", quoting(text) if quoting else text)
        return out

    def fill_url(self, template, **values):
        return self.fill(template, lambda text: quote(text, safe=""), **values)

    @property
    def redirect_uri(self):
        return self.fill(self.manifest.redirect_uri)

    def _environment(self, world, partner):
        names = self.manifest.environment
        values = {
            "apiBaseUrl": world.api_url, "authenticateUrl": world.authenticate_url,
            "invitationsBaseUrl": world.invitations_url, "partnerId": partner["id"],
            "apiKey": partner["apiKey"], "apiSecret": partner["apiSecret"],
            "username": partner["users"][0]["email"], "password": partner["users"][0]["password"],
            "dataDirectory": self.data_dir,
        }
        env = {key: value for key, value in os.environ.items() if not key.startswith("TRUSTPILOT_")}
        env.update(names.get("extra", {}))
        env.update({names[key]: str(value) for key, value in values.items() if key in names})
        env["PYTHONUNBUFFERED"] = "1"  # a killed service still leaves its log behind
        return env

    # -- the service --------------------------------------------------------------------------
    def start_service(self):
        service = self.manifest.service
        if not service:
            return None
        command = self.service_command = self.fill(service["command"], shlex.quote)
        cwd = self.manifest.folder / service.get("workingDirectory", ".")
        log = open(self._log_path, "w")
        self._service = subprocess.Popen(command, shell=True, cwd=cwd, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        ready = self.fill(service["readyUrl"])
        deadline = time.monotonic() + service.get("startTimeoutSeconds", 10)
        while time.monotonic() < deadline:
            if self._service.poll() is not None:
                raise IntegrationError(f"the service exited with status {self._service.returncode} before "
                                       f"{ready} answered: {command}\n{self.service_output()[-2000:]}")
            try:
                if requests.get(ready, timeout=1).status_code < 500:
                    return command
            except requests.RequestException:
                pass
            time.sleep(0.02)
        self.stop_service()
        raise IntegrationError(f"the service did not answer {ready} within "
                               f"{service.get('startTimeoutSeconds', 10)} s: {command}")

    def stop_service(self):
        if self._service is None or self._service.poll() is not None:
            return
        _kill(self._service, signal.SIGTERM)
        try:
            self._service.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill(self._service, signal.SIGKILL)
            self._service.wait()

    def service_output(self):
        try:
            with open(self._log_path, errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""

    # -- triggers -------------------------------------------------------------------------------
    def trigger(self, name, /, **values):
        """Run the manifest's trigger ``name`` with these placeholder values."""
        definition = self.manifest.trigger(name)
        timeout = definition.get("timeoutSeconds", self.manifest.trigger_timeout)
        if "run" in definition:
            return self._run(name, self.fill(definition["run"], shlex.quote, **values), timeout)
        return self._request(name, definition, values, timeout)

    def _run(self, name, command, timeout):
        started = time.monotonic()
        with tempfile.TemporaryFile("w+", errors="replace") as out:
            proc = subprocess.Popen(command, shell=True, cwd=self.manifest.folder, env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            try:
                code = proc.wait(timeout=timeout)
                outcome = f"exit {code}"
            except subprocess.TimeoutExpired:
                _kill(proc, signal.SIGKILL)
                proc.wait()
                code, outcome = None, f"timed out after {timeout:g} s (killed)"
            out.seek(0)
            output = out.read()[-OUTPUT_LIMIT:]
        return Outcome(name, command, code == 0, outcome, output, time.monotonic() - started, status=code)

    def _request(self, name, definition, values, timeout):
        url = self.fill_url(definition["url"], **values)
        method = definition.get("method", "GET")
        body = definition.get("json")
        if body is not None:
            body = json.loads(self.fill(json.dumps(body), lambda text: json.dumps(text)[1:-1], **values))
        started = time.monotonic()
        try:
            response = requests.request(method, url, json=body, timeout=timeout)
        except requests.RequestException as exc:
            return Outcome(name, f"{method} {url}", False, f"no answer: {exc}", "", time.monotonic() - started)
        return Outcome(name, f"{method} {url}", response.ok, f"HTTP {response.status_code}",
                       response.text[-OUTPUT_LIMIT:], time.monotonic() - started, status=response.status_code,
                       url=response.url)


def _kill(proc, sig):
    try:
        os.killpg(proc.pid, sig)  # the shell and whatever it started
    except (ProcessLookupError, PermissionError):
        pass
