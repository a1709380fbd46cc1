"""``Sandbox``: one sandbox as a test sees it: base URLs, a requests session, the control plane.

The same object drives an in-process app (no socket: a WSGI transport adapter), a `serve`
server started for the tests, or a server elsewhere, in its default sandbox or a named one.
Everything, control calls included, goes through ``self.session``, so the three modes share
one code path.
"""

import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests

from .. import scenario as scenarios
from . import journal
from .server import ServerProcess
from .wsgi import WSGIAdapter

IN_PROCESS_ROOT = "http://sandbox.trustpilot.invalid"  # .invalid never resolves: no request leaks out
JOURNAL_PAGE = 10000


class ControlError(RuntimeError):
    """The control plane refused a call; ``status`` and ``details`` are the sandbox's answer."""

    def __init__(self, method, url, status, details):
        super().__init__(f"{method} {url} -> {status}: {details}")
        self.status, self.details = status, details


class Sandbox:
    def __init__(self, root, session, name="default", adapter=None, scenario=None):
        self.root = root.rstrip("/")  # the server, without any /_sandbox/<name> prefix
        self.name = name
        self.session = session
        self.default_scenario = scenario  # what reset_to() returns to when a test names no scenario
        self._adapter = adapter
        self._loaded = _key(scenario) if scenario is not None else None
        self._closers = []
        self.app = None  # the Flask app, in-process only

    # -- three ways to get one ----------------------------------------------------------
    @classmethod
    def in_process(cls, scenario=None):
        """The Flask app in this process; reached only through ``session`` or ``intercept_requests()``."""
        from ..app import create_app

        scenario = scenario if scenario is not None else scenarios.DEFAULT_SCENARIO
        app = create_app({"SCENARIO": _parsed(scenario)})
        adapter = WSGIAdapter(app)
        session = requests.Session()
        session.mount(IN_PROCESS_ROOT + "/", adapter)
        sandbox = cls(IN_PROCESS_ROOT, session, adapter=adapter, scenario=scenario)
        sandbox.app = app
        return sandbox

    @classmethod
    def serve(cls, scenario=None, workers=2):
        """``trustpilot-mock serve`` on a free loopback port, stopped by ``close()``."""
        scenario = scenario if scenario is not None else scenarios.DEFAULT_SCENARIO
        path = scenario
        if isinstance(scenario, dict):
            _parsed(scenario)  # refuse a bad world here, with its message, not as a dead server
            path = _temporary_file(scenario)
        try:
            server = ServerProcess(path, workers=workers)
        finally:
            if path is not scenario:
                os.unlink(path)  # the server has read it
        sandbox = cls(server.url, requests.Session(), scenario=scenario)
        sandbox._closers.append(server.stop)
        return sandbox

    @classmethod
    def connect(cls, url, name=None, scenario=None, session=None):
        """A server already running at ``url``; with ``name``, a sandbox of its own there (deleted by close()).

        A sandbox of that name left behind by an earlier run is replaced. With ``scenario``, that
        world is loaded; else the sandbox has the server's world. ``session``: one with your
        headers (e.g. the control token), else a new one."""
        session = session or requests.Session()
        created_with = None
        if name is not None:
            created_with = _create_named(session, url.rstrip("/"), name, scenario)
        sandbox = cls(url, session, name=name or "default")
        if name is not None:
            sandbox._closers.append(lambda: session.delete(f"{sandbox.root}/_mock/sandboxes/{name}", timeout=30))
        if scenario is not None:
            if created_with is None:
                sandbox.load_scenario(scenario)
            sandbox._loaded = _key(scenario)
            sandbox.default_scenario = scenario
        return sandbox

    def named(self, name):
        """A new sandbox called ``name`` on the same server (deleted by its close()), with this one's scenario."""
        created_with = _create_named(self.session, self.root, name, self.default_scenario)
        other = Sandbox(self.root, self.session, name=name, adapter=self._adapter)
        other._closers.append(lambda: self.session.delete(f"{self.root}/_mock/sandboxes/{name}", timeout=30))
        if self.default_scenario is not None:
            if created_with is None:
                other.load_scenario(self.default_scenario)
            other._loaded = _key(self.default_scenario)
            other.default_scenario = self.default_scenario
        return other

    def close(self):
        while self._closers:
            self._closers.pop()()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- where clients point --------------------------------------------------------------
    @property
    def base_url(self):
        return self.root if self.name == "default" else f"{self.root}/_sandbox/{self.name}"

    @property
    def api_url(self):
        """Stands for https://api.trustpilot.com (paths start with /v1)."""
        return self.base_url

    @property
    def invitations_url(self):
        """Stands for https://invitations-api.trustpilot.com."""
        return self.base_url

    @property
    def authenticate_url(self):
        """The login page: stands for https://authenticate.trustpilot.com."""
        return f"{self.base_url}/authenticate"

    @contextmanager
    def intercept_requests(self):
        """Within the block, every ``requests`` session reaches this in-process sandbox by its URL.

        Like ``responses``, this patches ``requests.Session.get_adapter``, but only URLs on the
        sandbox's own host are diverted. Against a real server there is nothing to do."""
        if self._adapter is None:
            yield self
            return
        original = requests.Session.get_adapter
        host = urlsplit(self.root).netloc.lower()
        adapter = self._adapter

        def get_adapter(session, url):
            return adapter if urlsplit(url).netloc.lower() == host else original(session, url)

        requests.Session.get_adapter = get_adapter
        try:
            yield self
        finally:
            requests.Session.get_adapter = original

    # -- the control plane ------------------------------------------------------------------
    def control(self, method, path, **kwargs):
        """Call ``/_mock{path}`` of this sandbox; the decoded JSON (None for 204); ControlError on 4xx/5xx."""
        url = f"{self.base_url}/_mock{path}"
        response = self.session.request(method, url, timeout=kwargs.pop("timeout", 60), **kwargs)
        if response.status_code >= 400:
            try:
                details = response.json().get("details") or response.text
            except ValueError:
                details = response.text
            raise ControlError(method, url, response.status_code, details)
        return response.json() if response.content else None

    def reset(self):
        """Reload the last loaded world: tokens, keys, codes, clock, journal and faults start over."""
        return self.control("POST", "/reset")

    def load_scenario(self, scenario):
        """Load a world: a scenario file's path, or a world as a dict."""
        text = _text(scenario)
        result = self.control("POST", "/scenario", data=text.encode("utf-8"),
                              headers={"Content-Type": "application/yaml"})
        self._loaded = _key(scenario)
        return result

    def reset_to(self, scenario=None):
        """Start a test: ``scenario`` (else the default one) afresh; a reset when it is loaded already."""
        scenario = scenario if scenario is not None else self.default_scenario
        if scenario is None or _key(scenario) == self._loaded:
            return self.reset()
        return self.load_scenario(scenario)

    def state(self):
        return self.control("GET", "/state")

    def journal(self, since=0):
        """Every journal entry after ``since``, oldest first."""
        entries = []
        while True:
            page = self.control("GET", "/journal", params={"since": since, "limit": JOURNAL_PAGE})["entries"]
            entries.extend(page)
            if len(page) < JOURNAL_PAGE:
                return entries
            since = page[-1]["seq"]

    def clear_journal(self):
        self.control("DELETE", "/journal")

    def clock(self):
        return self.control("GET", "/clock")

    def advance_clock(self, seconds=0, hours=0):
        body = {key: value for key, value in (("seconds", seconds), ("hours", hours)) if value}
        return self.control("POST", "/clock/advance", json=body or {"seconds": 0})

    def update_business_unit(self, business_unit_id, plan=None, partner_permissions=None):
        """What the customer does in the Business app: change the plan, switch partner permissions."""
        body = {"plan": plan, "partnerPermissions": partner_permissions}
        return self.control("PATCH", f"/business-units/{business_unit_id}",
                            json={key: value for key, value in body.items() if value is not None})

    def update_settings(self, settings):
        """Change the world's ``settings`` (camelCase, as in a scenario) until the next reset."""
        return self.control("PATCH", "/settings", json=settings)

    def write_review(self, business_unit_id, **review):
        """A consumer writes a review (stars, title, text, ...); 201 with the review."""
        return self.control("POST", f"/business-units/{business_unit_id}/reviews", json=review)

    def invitations(self, business_unit_id=None):
        params = {"businessUnitId": business_unit_id} if business_unit_id else None
        return self.control("GET", "/invitations", params=params)

    def webhook_deliveries(self):
        return self.control("GET", "/webhooks/deliveries")

    def add_fault(self, rule):
        """Add a fault rule (id, method, path, credentials, response, latencyMs, drop, times, probability)."""
        return self.control("POST", "/faults", json=rule)

    def faults(self):
        return self.control("GET", "/faults")

    def clear_faults(self):
        self.control("DELETE", "/faults")

    def set_rate_ceiling(self, ceiling=None):
        """Production's rate ceiling on (``{}``), other ``limits``, or ``{"enabled": False}``."""
        return self.control("PUT", "/rate-ceiling", json=ceiling or {})

    # -- journal assertions -------------------------------------------------------------------
    def calls(self, method=None, path=None, **match):
        """The journal entries matching ``method``, ``path`` (a glob or a compiled regex) and ``match``."""
        expectation = journal.Expectation(method, path, match)
        return [entry for entry in self.journal() if not expectation.misses(entry)]

    def assert_called(self, method, path, times=None, **match):
        """Assert the sandbox saw such a request (``times`` exactly, or at least once); returns the matches.

        ``path``: a glob (``*`` one segment's characters, ``**`` anything) or a compiled regex.
        ``match``: status, query / form (dicts), apikey, bearer ('valid', 'unknown', 'expired',
        'revoked'), user_id, client_kind, partner_id, partner_id_header, fault (the id of the rule
        that fired); a value may be a predicate (``status=lambda s: s >= 400``)."""
        __tracebackhide__ = True
        expectation = journal.Expectation(method, path, match)
        return journal.check(self.journal(), expectation, times=times, sandbox=self.name)

    def assert_not_called(self, method, path, **match):
        __tracebackhide__ = True
        journal.check_absent(self.journal(), journal.Expectation(method, path, match), sandbox=self.name)

    def __repr__(self):
        return f"<Sandbox {self.name!r} at {self.base_url}>"


def unique_name(prefix="pytest"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _create_named(session, root, name, scenario=None):
    """Create the sandbox ``name``; a world given as a dict is loaded by the same request (one load
    of a world, not the server's default and then this one). Returns that world, or None when the
    sandbox has the server's world (a scenario file is loaded afterwards, for line numbers)."""
    url = f"{root}/_mock/sandboxes"
    world = scenario if isinstance(scenario, dict) else None
    body = json.dumps({"name": name, **({"scenario": world} if world is not None else {})},
                      default=str, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    response = session.post(url, data=body, headers=headers, timeout=60)
    if response.status_code == 409:  # left behind by an earlier run that died: the name is ours
        session.delete(f"{url}/{name}", timeout=60)
        response = session.post(url, data=body, headers=headers, timeout=60)
    if response.status_code != 201:
        raise ControlError("POST", url, response.status_code, response.text)
    return world


def _key(scenario):
    if isinstance(scenario, dict):
        return ("world", json.dumps(scenario, sort_keys=True, default=str))
    return ("file", str(Path(scenario).resolve()))


def _text(scenario):
    if isinstance(scenario, dict):
        # One field a line: the refusal's line numbers help. Not ASCII-escaped: YAML refuses the
        # surrogate pairs JSON would write for an emoji.
        return json.dumps(scenario, indent=1, default=str, ensure_ascii=False)
    try:
        return Path(scenario).read_text(encoding="utf-8")
    except OSError as exc:
        raise FileNotFoundError(f"cannot read scenario {scenario}: {exc}") from None


def _parsed(scenario):
    if isinstance(scenario, dict):
        return scenarios.parse(json.dumps(scenario, indent=1, default=str, ensure_ascii=False), "<scenario dict>")
    return scenarios.load_file(scenario)


def _temporary_file(world):
    import tempfile

    handle = tempfile.NamedTemporaryFile("w", suffix=".json", prefix="trustpilot-scenario-", delete=False)
    with handle:
        json.dump(world, handle, default=str)
    return handle.name
