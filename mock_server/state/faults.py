"""Faults: rules that make emulated routes slow, fail or drop the connection, and the rate ceiling.

Rules come from the scenario's ``faults:`` list (reloaded by every reset) or the control plane;
they live in the sandbox's store, so every worker process sees the same rules and counters.
A rule matches by method, path and credentials, then fires ``times`` times at most, each match
with ``probability`` (drawn from sha256(seed, rule id, match number): the same run sees the
same faults). Rules are tried in creation order; the first that fires decides.

Paths are globs (mock_server/path_glob.py, shared with journal queries): ``*`` is any run of
characters but ``/``, ``**`` any run including ``/``, ``?`` one character but ``/``; everything
else is literal and the whole path (without query string) must match.

The rate ceiling (reference §7: 833 calls per 5 minutes, 10,000 per hour; exceeded -> 429)
counts per client (the ``apikey``, else the client id of a known bearer token; calls with
neither are not counted) in sliding windows of the *virtual* clock. Emulator decisions: only
calls it lets through count (a refused call does not extend the wait); a call a rule fired on
is not counted; the 429 is an Apigee quota fault with ``Retry-After`` (seconds until a slot
frees), though the real API documents no rate-limit headers.
"""

import hashlib
import json
import math
from dataclasses import dataclass, field

from ..path_glob import glob_matches
from . import errors
from .access import Credentials
from .clock import iso
from .fault_presets import preset
from .store import Store, insert

SCHEMA = """
CREATE TABLE IF NOT EXISTS fault_rules (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, source TEXT NOT NULL,
    times INTEGER, probability REAL NOT NULL, matched INTEGER NOT NULL DEFAULT 0,
    fired INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rate_calls (client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS rate_calls_by_client ON rate_calls (client, at);
"""
TABLES = ("fault_rules", "rate_calls")

CEILING_RULE = "rate-ceiling"  # what the journal names when the ceiling refused a call
DOCUMENTED_LIMITS = ({"calls": 833, "seconds": 300}, {"calls": 10000, "seconds": 3600})
ACTIVE = "times IS NULL OR fired < times"
ANY_ACTIVE = "fault_rules:any active"  # the store's cached answer to "is any rule active?"
ANY_ACTIVE_DEPENDS_ON = (("fault_rules", None),)  # any write to the rules (a firing counts) drops it


@dataclass(frozen=True)
class RequestFacts:
    """What a fault rule can match on; the HTTP layer fills it in."""

    method: str
    path: str
    credentials: Credentials = field(default_factory=Credentials)


@dataclass(frozen=True)
class FaultDecision:
    """What to do instead of (or before) serving a request.

    ``base`` is an EmulatorError (rendered by api/errors.py) or a RawResponse; ``override`` holds
    the rule's own status, body, contentType and headers, applied on top of it."""

    rule: str
    latency_ms: int = 0
    drop: bool = False
    base: object = None
    override: dict = field(default_factory=dict)

    @property
    def answers(self):
        return self.drop or self.base is not None

    def journal(self):
        return {"rule": self.rule, "latencyMs": self.latency_ms, "dropped": self.drop}


def install_business_unit(db, unit, context):
    """Nothing per unit: rules are world-wide."""


def install_world(db, scenario, now):
    seed = scenario.get("seed", 0)
    for position, spec in enumerate(scenario.get("faults", [])):
        rule_id = spec.get("id") or hashlib.sha256(f"{seed}:fault-rule:{position}".encode()).hexdigest()[:24]
        _insert_rule(db, rule_id, spec, "scenario", now)
    settings = Store.get_meta(db, "settings")
    if settings is not None and "rateCeiling" in settings:
        Store.set_meta(db, "settings", {**settings, "rateCeiling": normal_ceiling(settings["rateCeiling"])})


def fault_problems(scenario):
    """Scenario rules JSON Schema cannot say: rule ids are unique. [(path, message)]"""
    seen, problems = {}, []
    for i, spec in enumerate(scenario.get("faults", [])):
        if "id" in spec:
            if spec["id"] in seen:
                problems.append((["faults", i, "id"], f"duplicate fault rule id {spec['id']!r} "
                                                      f"(first used at faults[{seen[spec['id']]}].id)"))
            seen.setdefault(spec["id"], i)
    return problems


def normal_ceiling(spec):
    """A rateCeiling as given (schema-valid) with its defaults filled in: on, the documented limits."""
    limits = spec.get("limits") or DOCUMENTED_LIMITS
    return {"enabled": spec.get("enabled", True),
            "limits": [{"calls": int(lim["calls"]), "seconds": int(lim["seconds"])} for lim in limits]}


class Faults:
    """The fault rules, the rate ceiling, and the decision for one request."""

    def __init__(self, store, clock, ids, settings):
        """``settings``: the sandbox's Settings (the rate ceiling lives there)."""
        self.store = store
        self.clock = clock
        self.ids = ids
        self.settings = settings

    def list_fault_rules(self):
        with self.store.read() as db:
            return {"rules": [_rule_view(row) for row in db.execute("SELECT * FROM fault_rules ORDER BY seq")]}

    def get_fault_rule(self, rule_id):
        with self.store.read() as db:
            return _rule_view(self._fault_rule_row(db, rule_id))

    def create_fault_rule(self, spec):
        """Add a rule (``spec`` already checked against the schema); a taken ``id`` is a 409."""
        with self.store.transaction() as db:
            rule_id = spec.get("id") or self.ids.object_id(db, "fault-rule")
            if db.execute("SELECT 1 FROM fault_rules WHERE id = ?", (rule_id,)).fetchone():
                raise errors.Conflict(f"a fault rule with the id {rule_id!r} exists; delete it first "
                                      f"(DELETE /_mock/faults/{rule_id}) or choose another id")
            _insert_rule(db, rule_id, spec, "controlPlane", self.clock.now(db))
            return _rule_view(self._fault_rule_row(db, rule_id))

    def delete_fault_rule(self, rule_id):
        with self.store.transaction() as db:
            self._fault_rule_row(db, rule_id)
            db.execute("DELETE FROM fault_rules WHERE id = ?", (rule_id,))

    def clear_fault_rules(self):
        """Forget every rule, the scenario's too (until the next reset)."""
        with self.store.transaction() as db:
            db.execute("DELETE FROM fault_rules")

    def get_rate_ceiling(self):
        """The ceiling and, per client, the calls it counts in each window now."""
        with self.store.read() as db:
            ceiling, now = self._rate_ceiling(db), self.clock.now(db)
            clients = [row[0] for row in db.execute("SELECT DISTINCT client FROM rate_calls ORDER BY client")]
            usage = [{"client": client, "windows": [
                {"seconds": lim["seconds"], "limit": lim["calls"],
                 "calls": db.execute("SELECT count(*) FROM rate_calls WHERE client = ? AND at > ?",
                                     (client, now - lim["seconds"])).fetchone()[0]}
                for lim in ceiling["limits"]]} for client in clients]
        return {**ceiling, "clients": usage}

    def set_rate_ceiling(self, spec):
        """Switch the ceiling on or off and set its limits (``spec`` already checked); counts are kept."""
        with self.store.transaction() as db:
            self.store.set_meta(db, "settings", {**self.settings.current(db), "rateCeiling": normal_ceiling(spec)})
        return self.get_rate_ceiling()

    def quiet(self):
        """No fault rule is active and the rate ceiling is off: every request is served as is."""
        with self.store.read() as db:
            return self._quiet(db)[0]

    def _quiet(self, db):
        """(quiet, active rules exist, the ceiling): from the store's cache, no statement."""
        ceiling = self._rate_ceiling(db)
        rules = self.store.cached(db, ANY_ACTIVE, ANY_ACTIVE_DEPENDS_ON, _any_active_rule)
        return not rules and not ceiling["enabled"], rules, ceiling

    def fault_for(self, facts):
        """The FaultDecision for one emulated request, or None to serve it normally."""
        with self.store.read() as db:
            quiet, rules, ceiling = self._quiet(db)
        if quiet:
            return None  # the common case
        with self.store.transaction() as db:
            client = _Client(db, facts.credentials)
            decision = self._fire_rule(db, facts, client) if rules else None
            if decision is None and ceiling["enabled"]:
                decision = self._apply_ceiling(db, ceiling["limits"], client.id)
            return decision

    def _fire_rule(self, db, facts, client):
        seed = self.store.get_meta(db, "seed", 0)
        for row in db.execute(f"SELECT * FROM fault_rules WHERE {ACTIVE} ORDER BY seq").fetchall():  # noqa: S608
            spec = json.loads(row["spec"])
            if not _matches(spec, facts, client):
                continue
            db.execute("UPDATE fault_rules SET matched = matched + 1 WHERE seq = ?", (row["seq"],))
            if row["probability"] < 1 and _draw(seed, row["id"], row["matched"]) >= row["probability"]:
                continue
            db.execute("UPDATE fault_rules SET fired = fired + 1 WHERE seq = ?", (row["seq"],))
            return self._decision(db, row["id"], spec)
        return None

    def _decision(self, db, rule_id, spec):
        response = spec.get("response")
        base, override = None, {}
        if response is not None:
            override = {k: response[k] for k in ("status", "body", "contentType", "headers") if k in response}
            base = preset(response.get("preset"), lambda: self.ids.token(db, "cf-id", 32))
        return FaultDecision(rule_id, spec.get("latencyMs", 0), spec.get("drop", False), base, override)

    def _apply_ceiling(self, db, limits, client):
        if client is None:
            return None
        now = self.clock.now(db)
        horizon = max(lim["seconds"] for lim in limits)
        db.execute("DELETE FROM rate_calls WHERE client = ? AND at <= ?", (client, now - horizon))
        wait, reached = 0.0, None
        for lim in limits:
            # The calls-th newest call in the window: while it is inside, the window is full.
            row = db.execute("SELECT at FROM rate_calls WHERE client = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                             (client, now - lim["seconds"], lim["calls"] - 1)).fetchone()
            if row is not None and row[0] + lim["seconds"] - now >= wait:
                wait, reached = row[0] + lim["seconds"] - now, lim
        if reached is None:
            insert(db, "rate_calls", client=client, at=now)
            return None
        seconds = max(1, math.ceil(wait))
        error = errors.RateLimited(f"{reached['calls']} calls in {reached['seconds']} s reached for client "
                                   f"{client!r}; retry after {seconds} s", headers={"Retry-After": str(seconds)})
        return FaultDecision(CEILING_RULE, base=error)

    def _rate_ceiling(self, db):
        return self.settings.current(db).get("rateCeiling") or {"enabled": False, "limits": list(DOCUMENTED_LIMITS)}

    def _fault_rule_row(self, db, rule_id):
        row = db.execute("SELECT * FROM fault_rules WHERE id = ?", (rule_id,)).fetchone()
        if row is None:
            raise errors.NotFound(f"no fault rule has the id {rule_id!r}; GET /_mock/faults lists them")
        return row




class _Client:
    """The calling client's id, looked up in the store only when a rule or the ceiling asks."""

    def __init__(self, db, creds):
        self._db, self._creds, self._id, self._known = db, creds, None, False

    @property
    def id(self):
        if not self._known:
            self._known = True
            self._id = self._creds.apikey
            if self._id is None and self._creds.bearer:
                row = self._db.execute("SELECT client_id FROM tokens WHERE token = ?", (self._creds.bearer,)).fetchone()
                self._id = row[0] if row else None
        return self._id


def _any_active_rule(db):
    return db.execute(f"SELECT 1 FROM fault_rules WHERE {ACTIVE} LIMIT 1").fetchone() is not None  # noqa: S608


def _insert_rule(db, rule_id, spec, source, now):
    spec = {k: v for k, v in spec.items() if k != "id"}
    times = spec.get("times")
    db.execute("INSERT INTO fault_rules (id, spec, source, times, probability, created_at) VALUES (?, ?, ?, ?, ?, ?)",
               (rule_id, json.dumps(_integral(spec)), source, None if times is None else int(times),
                float(spec.get("probability", 1)), iso(now)))


def _integral(value):
    """4.0 -> 4 throughout (JSON does not tell them apart; the schema calls both integers)."""
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _matches(spec, facts, client):
    if spec.get("method", "*") not in ("*", facts.method):
        return False
    if not glob_matches(spec.get("path", "/**"), facts.path):
        return False
    wanted = spec.get("credentials", {})
    creds = facts.credentials
    return (("apikey" not in wanted or creds.apikey == wanted["apikey"])
            and ("bearer" not in wanted or bool(creds.bearer) == wanted["bearer"])
            and ("clientId" not in wanted or client.id == wanted["clientId"]))


def _draw(seed, rule_id, number):
    """The number-th match's draw in [0, 1): the same seed and rule id give the same sequence."""
    digest = hashlib.sha256(f"{seed}:fault:{rule_id}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _rule_view(row):
    spec = json.loads(row["spec"])
    return {"id": row["id"], "method": spec.get("method", "*"), "path": spec.get("path", "/**"),
            **{k: v for k, v in spec.items() if k not in ("method", "path")},
            "matched": row["matched"], "fired": row["fired"], "source": row["source"], "createdAt": row["created_at"]}
