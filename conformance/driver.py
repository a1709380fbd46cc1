"""Drive the partner's integration: start its service, run its triggers, keep what it printed.

Everything here follows the manifest: commands run with the manifest's folder as working
directory; placeholders are filled (shell-quoted in commands, URL-quoted in URLs, JSON-escaped
in bodies). The integration's environment is only what the manifest names: the sandbox's
variables, ``extra``, the variables listed in ``passEnvironment`` and a few basics (PATH, HOME,
locale), so a CI job's own secrets never reach its output or the reports. Raw output (up to
RAW_LIMIT) stays in memory for the checks, the secrets check scans all of it; only redacted,
trimmed copies go into evidence (CheckContext.finish). Every process group the kit starts is
killed when its trigger or check ends, and all of them at once when the run is interrupted.
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

import threading

import requests

from mock_server.testing.server import free_port

from .http import fetch

RAW_LIMIT = 2_000_000       # characters of one trigger's output the checks see
BASIC_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "SHELL")
# Proxy mode (sandboxAccess: proxy): the URLs the integration is given are Trustpilot's own; the
# proxy answers them from the check's sandbox. Loopback (the integration's own service) goes direct.
TRUSTPILOT_URLS = {"apiBaseUrl": "https://api.trustpilot.com",
                   "invitationsBaseUrl": "https://invitations-api.trustpilot.com",
                   "authenticateUrl": "https://authenticate.trustpilot.com"}
NO_PROXY = "127.0.0.1,localhost,::1"
_live_groups = set()        # process groups started and not yet killed (all checks' threads)
_live_lock = threading.Lock()
_registry = None            # the watchdog's copy of _live_groups (conformance/watchdog.py), if any


def use_registry(path):
    """Keep ``path`` listing the live process groups, for the run's watchdog (None: stop)."""
    global _registry
    with _live_lock:
        _registry = path
        _write_registry()


def _write_registry():
    if _registry is not None:
        with open(_registry, "w") as handle:
            handle.write("".join(f"{group}\n" for group in _live_groups))


def kill_everything():
    """Kill every process group the kit started and has not killed yet (an interrupted run)."""
    with _live_lock:
        groups = list(_live_groups)
    for group in groups:
        _kill_group(group, signal.SIGKILL)


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
        self.proxy = None  # proxy mode: the check's proxy (mock_server.proxy.TrustpilotProxy)
        self.service_command = None
        self._service = None
        self.grace_seconds = 0  # on top of every trigger's timeout: the waits the explorer's faults ask for

    def point_at(self, sandbox, partner, proxy=None):
        """Set the environment the manifest names to this sandbox and the partner's credentials;
        with ``proxy`` (proxy mode), to Trustpilot's own URLs and the proxy that answers them."""
        self.proxy = proxy
        self.env = self._environment(sandbox, partner)

    @property
    def authenticate_url(self):
        """Where the integration sends the customer to sign in (the login page it was given)."""
        return TRUSTPILOT_URLS["authenticateUrl"] if self.proxy else None

    # -- placeholders and environment -------------------------------------------------------
    def service_values(self):
        """The placeholders the service fixes: {python} {port} {data_dir}, and those derived from
        {port}: {service_url} and {redirect_uri} (the registered one, as the kit fills it)."""
        values = {"python": sys.executable, "port": self.port, "data_dir": self.data_dir,
                  "service_url": f"http://127.0.0.1:{self.port}" if self.port else None}
        values["redirect_uri"] = _filled(self.manifest.redirect_uri, values)
        return values

    def fill(self, template, quoting=None, **values):
        values = {**self.service_values(), **values}
        out = template
        for key, value in values.items():
            if value is None:
                continue
            text = str(value)
            out = out.replace("{" + key + "}", quoting(text) if quoting else text)
        return out

    def private_values(self):
        """Values the kit passed on that are not the sandbox's and may be the partner's own secrets:
        'secrets', manifest 1's 'extra' and 'passEnvironment' ones; reports show them as '***'.
        'settings' are not secret and stay readable."""
        names = set(self.manifest.data.get("passEnvironment", [])) - set(BASIC_ENVIRONMENT)
        names |= set(self.manifest.fixed_variables(secret=True))
        return [v for k, v in (self.env or {}).items() if k in names]

    def fill_url(self, template, **values):
        return self.fill(template, lambda text: quote(text, safe=""), **values)

    @property
    def redirect_uri(self):
        return self.service_values()["redirect_uri"]

    def _environment(self, world, partner):
        names = self.manifest.environment
        values = {
            "apiBaseUrl": world.api_url, "authenticateUrl": world.authenticate_url,
            "invitationsBaseUrl": world.invitations_url, "partnerId": partner["id"],
            "apiKey": partner["apiKey"], "apiSecret": partner["apiSecret"],
            "username": partner["users"][0]["email"], "password": partner["users"][0]["password"],
            "dataDirectory": self.data_dir,
        }
        passed = set(BASIC_ENVIRONMENT) | set(self.manifest.data.get("passEnvironment", []))
        env = {key: value for key, value in os.environ.items() if key in passed}
        env.update({name: self.fill(value) for name, value in self.manifest.fixed_variables().items()})
        if self.proxy is not None:
            values.update(TRUSTPILOT_URLS)
            env.update(self.proxy.environment(), NO_PROXY=NO_PROXY, no_proxy=NO_PROXY)
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
        with open(self._log_path, "w") as log:
            self._service = _start(command, cwd, self.env, log, "the service")
        ready = self.fill(service["readyUrl"])
        deadline = time.monotonic() + service.get("startTimeoutSeconds", 10)
        while time.monotonic() < deadline:
            if self._service.poll() is not None:
                raise IntegrationError(f"the service exited with status {self._service.returncode} before "
                                       f"{ready} answered: {command}\n{self.service_output()[-2000:]}")
            try:
                if fetch(requests, "GET", ready, 2).status < 500:
                    return command
            except requests.RequestException:
                pass
            time.sleep(0.02)
        self.stop_service()
        raise IntegrationError(f"the service did not answer {ready} within "
                               f"{service.get('startTimeoutSeconds', 10)} s: {command}")

    def stop_service(self):
        """TERM, then KILL after 5 s, to the service's whole process group: also what it left
        running after its first process exited."""
        if self._service is None:
            return
        if self._service.poll() is None:
            _kill_group(self._service.pid, signal.SIGTERM)
            try:
                self._service.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        _kill_group(self._service.pid, signal.SIGKILL)
        self._service.wait()

    def service_output(self):
        try:
            with open(self._log_path, errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""

    # -- triggers -------------------------------------------------------------------------------
    def trigger(self, name, /, definition=None, **values):
        """Run the manifest's trigger ``name`` (or ``definition``, e.g. a probe) with these placeholder values."""
        definition = definition or self.manifest.trigger(name)
        timeout = definition.get("timeoutSeconds", self.manifest.trigger_timeout) + self.grace_seconds
        if "run" in definition:
            return self._run(name, self.fill(definition["run"], shlex.quote, **values), timeout)
        return self._request(name, definition, values, timeout)

    def _run(self, name, command, timeout):
        started = time.monotonic()
        with tempfile.TemporaryFile("w+", errors="replace") as out:
            proc = _start(command, self.manifest.folder, self.env, out, f"the {name} trigger")
            try:
                code = proc.wait(timeout=timeout)
                outcome = f"exit {code}"
            except subprocess.TimeoutExpired:
                code, outcome = None, f"timed out after {timeout:g} s (killed)"
            finally:
                _kill_group(proc.pid, signal.SIGKILL)  # and whatever it left running in the background
                proc.wait()
            out.seek(0)
            output = out.read(RAW_LIMIT)
        return Outcome(name, command, code == 0, outcome, output, time.monotonic() - started, status=code)

    def _request(self, name, definition, values, timeout):
        url = self.fill_url(definition["url"], **values)
        method = definition.get("method", "GET")
        body = definition.get("json")
        if body is not None:
            body = json.loads(self.fill(json.dumps(body), lambda text: json.dumps(text)[1:-1], **values))
        started = time.monotonic()
        try:
            answer = fetch(requests, method, url, timeout, json=body)
        except requests.RequestException as exc:
            return Outcome(name, f"{method} {url}", False, f"no answer: {exc}", "", time.monotonic() - started)
        ok = 200 <= answer.status < 300
        return Outcome(name, f"{method} {url}", ok, f"HTTP {answer.status}", answer.text,
                       time.monotonic() - started, status=answer.status, url=answer.url)


def _filled(template, values):
    for key, value in values.items():
        if value is not None:
            template = template.replace("{" + key + "}", str(value))
    return template


def _start(command, cwd, env, out, what):
    """A shell running ``command`` in a process group of its own (so all of it can be killed)."""
    try:
        proc = subprocess.Popen(command, shell=True, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    except OSError as exc:
        raise IntegrationError(f"{what} could not be started in {cwd}: {exc}") from None
    with _live_lock:
        _live_groups.add(proc.pid)
        _write_registry()
    return proc


def _kill_group(group, sig):
    try:
        os.killpg(group, sig)  # the shell and whatever it started
    except (ProcessLookupError, PermissionError):
        pass
    if sig == signal.SIGKILL:
        with _live_lock:
            _live_groups.discard(group)
            _write_registry()
