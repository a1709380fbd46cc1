"""The pytest plugin (entry point ``trustpilot_sandbox``): a sandbox per session, reset per test.

Nothing starts unless a test asks for ``trustpilot_sandbox`` (or ``trustpilot_sandbox_session``):
loaded into a suite that does not use them, the plugin only adds its options and markers.

Modes: in-process by default (the Flask app, reached without a socket); ``--trustpilot-sandbox=server``
(or the ``trustpilot_server`` marker on one test) starts ``trustpilot-mock serve`` once per
session; ``--trustpilot-sandbox-url=URL`` uses a server elsewhere, in a sandbox of its own
named after ``--trustpilot-sandbox-name`` (else a random name) and the xdist worker, so
parallel jobs and workers sharing a host never see each other's state.
"""

import os
from pathlib import Path

import pytest

# mock_server.testing and .scenario are imported where used: a suite that never asks for a
# sandbox should not pay for requests, werkzeug and the schema at start-up.
MODES = ("inprocess", "server")


def pytest_addoption(parser):
    group = parser.getgroup("trustpilot-sandbox", "Trustpilot partner sandbox")
    group.addoption("--trustpilot-sandbox", choices=MODES, default="inprocess",
                    help="run the sandbox in this process (default) or as a real `trustpilot-mock serve` server")
    group.addoption("--trustpilot-sandbox-url", metavar="URL",
                    help="use the sandbox server at URL (in a named sandbox of its own) instead of starting one")
    group.addoption("--trustpilot-sandbox-name", metavar="NAME",
                    help="name of the sandbox to create on the server (the xdist worker id is appended); "
                         "default: a random name when --trustpilot-sandbox-url is given, else the default sandbox")
    group.addoption("--trustpilot-scenario", metavar="PATH",
                    help="the world every test starts from unless marked (default: scenarios/default.yaml)")


def pytest_configure(config):
    config.addinivalue_line("markers", "trustpilot_scenario(scenario): start this test from another world "
                            "(a scenario file's path, relative to the test file, or a world dict)")
    config.addinivalue_line("markers", "trustpilot_server: run this test's sandbox as a real HTTP server")


class SandboxHosts:
    """The session's sandboxes, one per mode, each started on first use and closed at the end."""

    def __init__(self, config):
        from . import scenario as scenarios

        self.config = config
        self._started = {}
        option = config.getoption
        self.url = option("--trustpilot-sandbox-url")
        self.default_mode = option("--trustpilot-sandbox")
        scenario = option("--trustpilot-scenario")
        self.scenario = Path(scenario).resolve() if scenario else scenarios.DEFAULT_SCENARIO

    def get(self, mode=None):
        mode = "remote" if self.url else mode or self.default_mode
        if mode not in self._started:
            self._started[mode] = self._start(mode)
        return self._started[mode]

    def _start(self, mode):
        from .testing import Sandbox

        name = self._sandbox_name()
        if mode == "remote":
            return Sandbox.connect(self.url, name=name, scenario=self.scenario)
        host = Sandbox.serve(self.scenario) if mode == "server" else Sandbox.in_process(self.scenario)
        if name is None:
            return host
        try:
            named = host.named(name)
        except Exception:
            host.close()
            raise
        named._closers.insert(0, host.close)  # closed last: the named sandbox is deleted first
        return named

    def _sandbox_name(self):
        from .testing import unique_name

        prefix = self.config.getoption("--trustpilot-sandbox-name")
        if prefix is None and not self.url:
            return None
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        name = prefix or unique_name("pytest")
        return f"{name}-{worker}" if worker else name

    def close(self):
        errors = []
        for sandbox in self._started.values():
            try:
                sandbox.close()
            except Exception as exc:  # noqa: BLE001 - close every one, report the first
                errors.append(exc)
        self._started.clear()
        if errors:
            raise errors[0]


@pytest.fixture(scope="session")
def _trustpilot_hosts(pytestconfig):
    hosts = SandboxHosts(pytestconfig)
    yield hosts
    hosts.close()


@pytest.fixture(scope="session")
def trustpilot_sandbox_session(_trustpilot_hosts):
    """The session's sandbox (mode from the command line), as the last test left it."""
    return _trustpilot_hosts.get()


@pytest.fixture
def trustpilot_sandbox(request, _trustpilot_hosts):
    """A sandbox started once per session, its world loaded afresh for this test.

    The world: ``@pytest.mark.trustpilot_scenario(...)``, an indirect parameter, else the
    session's. In-process, ``requests`` calls to the sandbox's URLs are served by the app
    for the duration of the test."""
    mode = "server" if request.node.get_closest_marker("trustpilot_server") else None
    sandbox = _trustpilot_hosts.get(mode)
    sandbox.reset_to(_scenario_for(request))
    with sandbox.intercept_requests():
        yield sandbox


def _scenario_for(request):
    marker = request.node.get_closest_marker("trustpilot_scenario")
    chosen = getattr(request, "param", None)
    if chosen is None and marker is not None:
        if len(marker.args) != 1 or marker.kwargs:
            pytest.fail("use @pytest.mark.trustpilot_scenario(path_or_world): one argument", pytrace=False)
        chosen = marker.args[0]
    if chosen is None or isinstance(chosen, dict):
        return chosen
    return _find_scenario(Path(chosen), request)


def _find_scenario(path, request):
    """A scenario path as written: absolute, or beside the test file, under the rootdir, in scenarios/."""
    from . import scenario as scenarios

    places = [path] if path.is_absolute() else [request.node.path.parent / path, request.config.rootpath / path,
                                                 scenarios.SCENARIO_DIR / path]
    for place in places:
        if place.is_file():
            return place.resolve()
    pytest.fail(f"trustpilot_scenario {str(path)!r} not found; looked at "
                + ", ".join(str(place) for place in places), pytrace=False)
