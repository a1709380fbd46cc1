"""The explorer: generated worlds that no fixed world shows, judged by the same checks, shrunk to a
minimal one that fails, written as a replay file the partner can commit.

Hypothesis generates a change of the kit's everyday world (scenarios/conformance/customers.yaml):
Bright Shop, the customer every use case check works on, gets a location count around the page
boundaries (0, 1, 199, 200, 201, 399, 400, 401) and a handful of reviews whose texts hold emoji,
right-to-left text, combining characters or up to 4,000 characters, some of them reported; and a
schedule: faults on the use cases' reads, every one a correct integration survives (a 429 with
Retry-After from 0 to 30 s, a burst of 5xx with a JSON or the gateway's HTML body, the gateway's
HTML error page, latency, dropped connections: at most two failures in a row, which
robustness.retry-5xx asks an integration to survive), and the sandbox clock passing 100 hours
before one of the kit's triggers (every token issued so far expires: the integration must renew
it). Starry Shop, whose fixed special texts the catalog judges, is made plain here, so that a
failure comes from the generated world and shrinks to it.

Each example runs the world-sensitive checks of the claimed use cases (usecase.ingestion,
usecase.showcase) in that world, exactly as ``run`` does, side by side. The first failure is
shrunk (no clock jump, fewer faults, fewer locations, fewer, plainer and shorter reviews) with
the checks that failed, within the time budget; the minimal world is printed and written
with the checks it fails to a replay file, and ``trustpilot-conformance replay FILE`` runs those
checks in that world and schedule again.

Time: the sandbox's clock is virtual (the control plane moves it, so 100 hours cost nothing), the
integration's is not: a process in any language sleeps what a Retry-After tells it in real
seconds, and nothing outside it can shorten that. So a trigger gets the schedule's waits on top of
its timeout, and an example whose expected time would pass the budget is not started.
"""

import json
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from .checks import CATALOG
from .faults import html_error
from .driver import kill_everything
from .runner import run_in_world
from .worlds import base_scenario

WORLD = "customers"
TARGET = "bright-shop.example"
PLAIN_UNITS = ("starry-shop.example",)  # the fixed special texts: the catalog's, not the explorer's
CHECKS = {"ingestion": "usecase.ingestion", "showcase": "usecase.showcase"}
LOCATION_COUNTS = (0, 1, 199, 200, 201, 399, 400, 401)   # around the 200-a-page boundaries
PLAIN = "Good service, fast delivery."
EMOJI = "Loved it 😍🎉 fast delivery 🚚"                     # outside the Basic Multilingual Plane
RIGHT_TO_LEFT = ("שירות מצוין, המשלוח הגיע מהר", "خدمة ممتازة وتوصيل سريع")
COMBINING = "Cafe\u0301 cre\u0300me, Z\u0335a\u0337l\u0336g\u0338o\u0334"
LONG_TEXTS = (1000, 1001, 4000)  # characters: around a 1,000-character column, and the longest review
FILLER = "This shop delivered everything on time and answered every question. "


def long_text(length):
    return (FILLER * 60)[:length]


# Every text a generated review may have, plainest first: shrinking goes left.
TEXTS = (PLAIN, EMOJI, *RIGHT_TO_LEFT, COMBINING, *map(long_text, LONG_TEXTS))
REPLAY_VERSION = 1
# The reads of ingestion and showcase past the unit itself (reviews, locations, profileinfo):
# onboarding's find and the unit's own GET stay untouched, so every fault lands on a use case.
# One glob for both (".*" after /v1 takes "" or "/private"): each generated fault fires as often
# as it says, not once per path.
FAULT_PATH = "/v1**/business-units/{unit}/*"
MAX_RETRY_AFTER = 30          # seconds: the range the issue asks for, waited in real time by the integration
MAX_FAILURES_IN_A_ROW = 2     # 5xx, HTML pages and drops together: what robustness.retry-5xx asks to survive
EXPIRY_HOURS = (100, 200)     # the clock passing the access tokens' 100 hours (refresh tokens last 90 days)
TRIGGERS_PER_CHECK = 7        # ingestion: onboard, ingest and probe Bright Shop, onboard and ingest two more
JOBS = 2                      # checks of one example side by side, as ``run --jobs 2``


class ExplorerUnavailable(RuntimeError):
    """hypothesis is not installed: the explorer cannot run."""


def _strategies():
    try:
        from hypothesis import strategies as st
    except ImportError:
        raise ExplorerUnavailable("the explorer needs hypothesis: pip install 'trustpilot-partner-sandbox[explore]'") \
            from None
    # Each text as likely as a plain one (a few fixed lengths rather than any: a bug at a length
    # limit shows at 1,001 characters, and shrinking need not search the lengths between).
    text = st.sampled_from(TEXTS)
    review = st.fixed_dictionaries({"stars": st.integers(1, 5), "text": text,
                                     "reported": st.sampled_from((False, False, True))})  # most are published
    fault = st.one_of(
        st.fixed_dictionaries({"kind": st.just("429"), "retryAfter": st.integers(0, MAX_RETRY_AFTER)}),
        st.fixed_dictionaries({"kind": st.just("5xx"), "status": st.sampled_from((500, 502, 503, 504)),
                               "times": st.integers(1, MAX_FAILURES_IN_A_ROW),
                               "body": st.sampled_from(("json", "html"))}),
        st.fixed_dictionaries({"kind": st.just("html")}),
        st.fixed_dictionaries({"kind": st.just("latency"), "ms": st.integers(100, 2000)}),
        st.fixed_dictionaries({"kind": st.just("drop"), "times": st.integers(1, MAX_FAILURES_IN_A_ROW)}))
    faults = st.lists(fault, max_size=3, unique_by=lambda f: f["kind"]).filter(
        lambda chosen: sum(failures_in_a_row(f) for f in chosen) <= MAX_FAILURES_IN_A_ROW)
    clock = st.one_of(st.none(), st.fixed_dictionaries({
        "hours": st.integers(*EXPIRY_HOURS), "beforeTrigger": st.integers(0, TRIGGERS_PER_CHECK - 1)}))
    return st.fixed_dictionaries({"locations": st.sampled_from(LOCATION_COUNTS),
                                  "reviews": st.lists(review, max_size=6),
                                  "faults": faults, "clock": clock})


def failures_in_a_row(fault):
    """How many failed answers a fault gives (fault rules fire in a row on the same reads)."""
    return {"5xx": fault.get("times", 1), "html": 1, "drop": fault.get("times", 1)}.get(fault["kind"], 0)


def scenario(world):
    """The kit's everyday world with Bright Shop as ``world`` says (a dict a replay file keeps)."""
    data = base_scenario(WORLD)
    unit = next(u for u in data["businessUnits"] if u["domain"] == TARGET)
    unit["locations"] = {"generate": world["locations"]}
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    unit["reviews"] = [_review(n, spec, start) for n, spec in enumerate(world["reviews"])]
    data["faults"] = [rule for n, spec in enumerate(world.get("faults", []))
                      for rule in _fault_rules(n, spec, unit["id"])]
    for plain in (u for u in data["businessUnits"] if u["domain"] in PLAIN_UNITS):
        _make_plain(plain, start)
    return data


def _make_plain(unit, start):
    """A unit of the kit world without its special texts (display name, locations, reviews)."""
    unit["displayName"] = unit["domain"].split(".")[0].replace("-", " ").title()
    unit["locations"] = {"generate": len(unit.get("locations") or [])}
    unit["reviews"] = [_review(n, {"stars": 4, "text": PLAIN, "reported": False}, start) for n in range(2)]


def _fault_rules(n, spec, unit_id):
    """Scenario fault rules for one generated fault, on Bright Shop's use case reads."""
    kind = spec["kind"]
    if kind == "429":
        base = {"response": {"preset": "rateLimited", "headers": {"Retry-After": str(spec["retryAfter"])}},
                "times": 1}
    elif kind == "5xx" and spec.get("body") == "html":
        base = {"response": html_error(spec["status"]), "times": spec["times"]}
    elif kind == "5xx":
        base = {"response": {"status": spec["status"], "body": {"message": "temporarily failing"}},
                "times": spec["times"]}
    elif kind == "html":
        base = {"response": html_error(503), "times": 1}
    elif kind == "latency":
        base = {"latencyMs": spec["ms"], "times": 3}
    else:
        base = {"drop": True, "times": spec.get("times", 1)}
    return [{"id": f"explore-{n}", "method": "GET", "path": FAULT_PATH.format(unit=unit_id), **base}]


def _review(n, spec, start):
    review = {"stars": spec["stars"], "title": spec["text"][:40] or "Review", "text": spec["text"],
              "consumerName": f"Consumer {n + 1}", "language": "en",
              "createdAt": (start - timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if spec.get("reported"):
        review["report"] = {"reason": "offensive"}
    return review


def describe(world):
    """The world in a few lines, for the console."""
    lines = [f"Bright Shop with {world['locations']} location(s) and {len(world['reviews'])} review(s)"]
    for n, review in enumerate(world["reviews"], 1):
        text = review["text"]
        shown = text if len(text) <= 60 else f"{text[:40]}... ({len(text)} characters)"
        lines.append(f"  review {n}: {review['stars']} stars{', reported' if review.get('reported') else ''}: {shown!r}")
    for fault in world.get("faults", []):
        lines.append("  fault: " + ", ".join(f"{k}={v}" for k, v in fault.items()))
    clock = world.get("clock")
    if clock:
        lines.append(f"  clock: {clock['hours']} hours forward before the kit's trigger {clock['beforeTrigger'] + 1} "
                     "of each check")
    return "\n".join(lines)


def checks_for(manifest):
    ids = [CHECKS[u] for u in CHECKS if u in manifest.use_cases]
    return [c for c in CATALOG if c.id in ids]


class Schedule:
    """What the explorer does while one check runs in a generated world: the clock jump before the
    kit's n-th trigger (the sandbox's virtual clock: nothing waits), and the seconds its faults ask
    the integration to wait, which every trigger gets on top of its timeout."""

    def __init__(self, world):
        self.clock = world.get("clock")
        self.grace_seconds = sum(_waits(fault) for fault in world.get("faults", []))
        self.triggers = 0

    def before_trigger(self, ctx, name, customer):
        if self.clock and self.triggers == self.clock["beforeTrigger"]:
            ctx.sandbox.advance_clock(hours=self.clock["hours"])
            ctx.note(f"explorer: the sandbox clock moved {self.clock['hours']} hours forward before the {name} "
                     f"trigger" + (f" for {customer.domain}" if customer else "") + " (every access token expired)")
        self.triggers += 1


def _waits(fault):
    """Seconds a fault asks a correct integration to wait (a Retry-After) or makes it wait (latency)."""
    if fault["kind"] == "429":
        return fault["retryAfter"]
    if fault["kind"] == "latency":
        return 3 * fault["ms"] / 1000  # the rule fires three times
    return 0


def judge(manifest, emulator, checks, world):
    """The failing results (fail or error) of ``checks`` in ``world``."""
    return [r for r in run_checks(manifest, emulator, checks, world) if r.status in ("fail", "error")]


def run_checks(manifest, emulator, checks, world):
    """Every result of ``checks`` in ``world`` and its schedule, run side by side (each its own sandbox)."""
    data = scenario(world)
    with ThreadPoolExecutor(max_workers=JOBS, thread_name_prefix="explore") as pool:
        futures = [pool.submit(run_in_world, check, manifest, emulator, scenario=data, schedule=Schedule(world))
                   for check in checks]
        try:
            return [future.result() for future in futures]
        except KeyboardInterrupt:  # as ``run``: end the integration's processes now, not when checks end
            for future in futures:
                future.cancel()
            kill_everything()
            raise


class Exploration:
    """One exploration: the examples tried, and the smallest failing world found."""

    def __init__(self, manifest, emulator, budget=None, seconds=120.0, seed=0, say=print):
        self.manifest, self.emulator = manifest, emulator
        self.budget, self.seconds, self.seed, self.say = budget or 1000, seconds, seed, say
        self.checks = checks_for(manifest)
        self.tried, self.failures, self._cache = 0, {}, {}
        self._deadline = time.monotonic() + seconds  # from now: hypothesis's import counts too
        self._slowest, self._out_of_time = 0.0, False

    def run(self):
        """The minimal failing world and its failures, or (None, []) when none was found."""
        from hypothesis import HealthCheck, Phase, find, settings
        from hypothesis.errors import NoSuchExample

        if not self.checks:
            return None, []
        options = settings(max_examples=self.budget, database=None, deadline=None, phases=[Phase.generate],
                           suppress_health_check=list(HealthCheck))
        try:
            world = find(_strategies(), self._fails, settings=options, random=random.Random(self.seed))
        except NoSuchExample:
            return None, []
        world = canonical(self.shrink(world))
        return world, self._cache[_key(world)]

    def shrink(self, world):
        """The failing ``world`` made smaller one simplification at a time (each a judged example),
        the first that still fails kept, until none does or the time is up. Hypothesis's own
        shrinker would judge a hundred worlds or more; these passes know what makes a world
        simpler and need a few dozen."""
        smaller = True
        while smaller:
            smaller = False
            for candidate in simpler(world):
                if self._fails(candidate):
                    world, smaller = candidate, True
                    break
        return world

    def _fails(self, world):
        key = _key(world)
        if key not in self._cache:
            if not self._time_for(world):
                return False  # the budget is spent: keep the smallest failure found so far
            self.tried += 1
            started = time.monotonic()
            failed = judge(self.manifest, self.emulator, self.checks, world)
            waits = Schedule(world).grace_seconds
            self._slowest = max(self._slowest, time.monotonic() - started - waits)
            self._cache[key] = failed
            if failed and not self.failures:
                # Shrink this failure: from now on only the checks it failed run.
                self.failures = {r.id: r for r in failed}
                self.checks = [c for c in self.checks if c.id in self.failures]
            if failed:
                self.say(f"  example {self.tried}: {failed[0].id} fails in: {describe(world).splitlines()[0]}")
        return bool(self._cache[key])

    def _time_for(self, world):
        """Whether ``world`` can still be judged: its expected time (the slowest example so far,
        less its waits, plus the waits this one asks for) within the budget. Once one cannot, none
        is: the worlds judged are always the first ones of the seed's sequence, so a longer budget
        explores the same ones and more."""
        expected = self._slowest + Schedule(world).grace_seconds
        if self._out_of_time or time.monotonic() + expected > self._deadline:
            self._out_of_time = True
        return not self._out_of_time


def simpler(world):
    """Worlds one step simpler than ``world``, the biggest steps first: no clock jump (or the least),
    a fault fewer, a milder fault, fewer locations, one review alone, a review fewer, then each
    review plainer. Every step lowers one of these measures and raises none, so shrinking ends."""
    def changed(**parts):
        return {**world, **parts}

    if world.get("clock"):
        yield changed(clock=None)
    faults, reviews = world.get("faults", []), world["reviews"]
    if world.get("clock") and world["clock"]["hours"] > EXPIRY_HOURS[0]:
        yield changed(clock={**world["clock"], "hours": EXPIRY_HOURS[0]})
    for n in range(len(faults)):
        yield changed(faults=faults[:n] + faults[n + 1:])
    for n, fault in enumerate(faults):
        yield from (changed(faults=faults[:n] + [f] + faults[n + 1:]) for f in _milder(fault))
    for count in LOCATION_COUNTS[:LOCATION_COUNTS.index(world["locations"])]:
        yield changed(locations=count)
    if len(reviews) > 1:
        yield from (changed(reviews=[review]) for review in reviews)
    for n in range(len(reviews)):
        yield changed(reviews=reviews[:n] + reviews[n + 1:])
    for n, review in enumerate(reviews):
        plainer = [{**review, "text": text} for text in TEXTS[:_text_rank(review["text"])]]
        plainer += [{**review, "stars": 1}] if review["stars"] > 1 else []
        plainer += [{**review, "reported": False}] if review.get("reported") else []
        yield from (changed(reviews=reviews[:n] + [r] + reviews[n + 1:]) for r in plainer)


def _milder(fault):
    """The same fault, milder: no wait or half of it, one failure instead of two, the least latency."""
    if fault["kind"] == "429" and fault["retryAfter"] > 0:
        shorter = sorted({0, fault["retryAfter"] // 2} - {fault["retryAfter"]})
        yield from ({**fault, "retryAfter": seconds} for seconds in shorter)
    if fault.get("times", 1) > 1:
        yield {**fault, "times": 1}
    if fault["kind"] == "latency" and fault["ms"] > 100:
        yield {**fault, "ms": 100}


def _text_rank(text):
    return TEXTS.index(text) if text in TEXTS else len(TEXTS)  # a text of an older replay file: any is plainer


def _key(world):
    return json.dumps(world, sort_keys=True)


def canonical(world):
    """The world's parts in one order (hypothesis may build them in another), for files and the console."""
    return {part: world[part] for part in ("locations", "reviews", "faults", "clock") if part in world}


def write_replay(path, manifest, world, failures, seed):
    """A replay file: the manifest, the checks that failed and the minimal world (also as a scenario)."""
    folder = Path(path).resolve().parent  # the manifest relative to the replay file: both get committed
    document = {"replay": REPLAY_VERSION, "manifest": os.path.relpath(manifest.path, folder), "seed": seed,
                "checks": [r.id for r in failures], "world": world,
                "failures": {r.id: r.message for r in failures}}
    header = ("# A world the conformance explorer found failing. Reproduce it with:\n"
              f"#   trustpilot-conformance replay {path}\n")
    Path(path).write_text(header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class ReplayError(ValueError):
    """A replay file that cannot be read; the message says what is wrong."""


def read_replay(path):
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReplayError(f"{path}: cannot read the replay file: {exc}") from None
    if not isinstance(document, dict) or document.get("replay") != REPLAY_VERSION:
        raise ReplayError(f"{path}: not a replay file (it needs 'replay: {REPLAY_VERSION}')")
    missing = [k for k in ("manifest", "checks", "world") if k not in document]
    if missing:
        raise ReplayError(f"{path}: the replay file lacks {', '.join(missing)}")
    unknown = [c for c in document["checks"] if c not in {check.id for check in CATALOG}]
    if unknown:
        raise ReplayError(f"{path}: no check is called {', '.join(unknown)}")
    return document
