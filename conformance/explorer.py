"""The explorer: generated worlds that no fixed world shows, judged by the same checks, shrunk to a
minimal one that fails, written as a replay file the partner can commit.

Hypothesis generates a change of the kit's everyday world (scenarios/conformance/customers.yaml):
Bright Shop, the customer every use case check works on, gets a location count around the page
boundaries (0, 1, 199, 200, 201, 399, 400, 401) and a handful of reviews whose texts hold emoji,
right-to-left text, combining characters or up to 4,000 characters, some of them reported; and a
fault schedule on the use cases' reads, every fault one a correct integration survives: one 429
with Retry-After from 0 to 10 s (a trigger has 20 s), a burst of up to two 5xx, the gateway's
HTML error page, latency, a dropped connection. Each
example runs the world-sensitive checks of the claimed use cases (usecase.ingestion,
usecase.showcase) in that world, exactly as ``run`` does. The first failure is shrunk (fewer
locations, fewer and shorter reviews, plainer texts) within the time budget; the minimal world is
printed and written with the checks it fails to a replay file, and
``trustpilot-conformance replay FILE`` runs those checks in that world again.

Not generated yet: the clock passing 100 hours mid-run (tokens.refresh judges a fixed one).
"""

import os
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from .checks import CATALOG
from .faults import html_error
from .runner import run_in_world
from .worlds import base_scenario

WORLD = "customers"
TARGET = "bright-shop.example"
CHECKS = {"ingestion": "usecase.ingestion", "showcase": "usecase.showcase"}
LOCATION_COUNTS = (0, 1, 199, 200, 201, 399, 400, 401)   # around the 200-a-page boundaries
PLAIN = "Good service, fast delivery."
SPECIAL_TEXTS = (
    "Loved it 😍🎉 fast delivery 🚚",                       # outside the Basic Multilingual Plane
    "שירות מצוין, המשלוח הגיע מהר",                          # right-to-left
    "خدمة ممتازة وتوصيل سريع",
    "Cafe\u0301 cre\u0300me, Z\u0335a\u0337l\u0336g\u0338o\u0334",  # combining characters
)
FILLER = "This shop delivered everything on time and answered every question. "
REPLAY_VERSION = 1
# The reads of ingestion and showcase past the unit itself (reviews, locations, profileinfo):
# onboarding's find and the unit's own GET stay untouched, so every fault lands on a use case.
# One glob for both (".*" after /v1 takes "" or "/private"): each generated fault fires as often
# as it says, not once per path.
FAULT_PATH = "/v1**/business-units/{unit}/*"


class ExplorerUnavailable(RuntimeError):
    """hypothesis is not installed: the explorer cannot run."""


def _strategies():
    try:
        from hypothesis import strategies as st
    except ImportError:
        raise ExplorerUnavailable("the explorer needs hypothesis: pip install 'trustpilot-partner-sandbox[explore]'") \
            from None
    text = st.one_of(st.just(PLAIN), st.sampled_from(SPECIAL_TEXTS),
                     st.integers(min_value=1, max_value=4000).map(lambda n: (FILLER * 60)[:n]))
    review = st.fixed_dictionaries({"stars": st.integers(1, 5), "text": text, "reported": st.booleans()})
    fault = st.one_of(
        st.fixed_dictionaries({"kind": st.just("429"), "retryAfter": st.integers(0, 10)}),
        st.fixed_dictionaries({"kind": st.just("5xx"), "status": st.sampled_from((500, 502, 503, 504)),
                               "times": st.integers(1, 2)}),
        st.fixed_dictionaries({"kind": st.just("html")}),
        st.fixed_dictionaries({"kind": st.just("latency"), "ms": st.integers(100, 2000)}),
        st.fixed_dictionaries({"kind": st.just("drop")}))
    return st.fixed_dictionaries({"locations": st.sampled_from(LOCATION_COUNTS),
                                  "reviews": st.lists(review, max_size=6),
                                  "faults": st.lists(fault, max_size=2, unique_by=lambda f: f["kind"])})


def scenario(world):
    """The kit's everyday world with Bright Shop as ``world`` says (a dict a replay file keeps)."""
    data = base_scenario(WORLD)
    unit = next(u for u in data["businessUnits"] if u["domain"] == TARGET)
    unit["locations"] = {"generate": world["locations"]}
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    unit["reviews"] = [_review(n, spec, start) for n, spec in enumerate(world["reviews"])]
    data["faults"] = [rule for n, spec in enumerate(world.get("faults", []))
                      for rule in _fault_rules(n, spec, unit["id"])]
    return data


def _fault_rules(n, spec, unit_id):
    """Scenario fault rules for one generated fault, on Bright Shop's use case reads."""
    kind = spec["kind"]
    if kind == "429":
        base = {"response": {"preset": "rateLimited", "headers": {"Retry-After": str(spec["retryAfter"])}},
                "times": 1}
    elif kind == "5xx":
        base = {"response": {"status": spec["status"], "body": {"message": "temporarily failing"}},
                "times": spec["times"]}
    elif kind == "html":
        base = {"response": html_error(503), "times": 1}
    elif kind == "latency":
        base = {"latencyMs": spec["ms"], "times": 3}
    else:
        base = {"drop": True, "times": 1}
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
    return "\n".join(lines)


def checks_for(manifest):
    ids = [CHECKS[u] for u in CHECKS if u in manifest.use_cases]
    return [c for c in CATALOG if c.id in ids]


def judge(manifest, emulator, checks, world):
    """The failing results (fail or error) of ``checks`` in ``world``."""
    data = scenario(world)
    results = [run_in_world(check, manifest, emulator, scenario=data) for check in checks]
    return [r for r in results if r.status in ("fail", "error")]


class Exploration:
    """One exploration: the examples tried, and the smallest failing world found."""

    def __init__(self, manifest, emulator, budget=None, seconds=120.0, seed=0, say=print):
        self.manifest, self.emulator = manifest, emulator
        self.budget, self.seconds, self.seed, self.say = budget or 1000, seconds, seed, say
        self.checks = checks_for(manifest)
        self.tried, self.failures, self._cache = 0, {}, {}
        self._deadline = None

    def run(self):
        """The minimal failing world and its failures, or (None, []) when none was found."""
        from hypothesis import HealthCheck, Phase, find, settings
        from hypothesis.errors import NoSuchExample

        if not self.checks:
            return None, []
        self._deadline = time.monotonic() + self.seconds
        options = settings(max_examples=self.budget, database=None, deadline=None,
                           phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
        try:
            world = find(_strategies(), self._fails, settings=options, random=random.Random(self.seed))
        except NoSuchExample:
            return None, []
        return world, self._cache[_key(world)]

    def _fails(self, world):
        key = _key(world)
        if key not in self._cache:
            if time.monotonic() > self._deadline:
                return False  # the budget is spent: keep the smallest failure found so far
            self.tried += 1
            failed = judge(self.manifest, self.emulator, self.checks, world)
            self._cache[key] = failed
            if failed:
                self.say(f"  example {self.tried}: {failed[0].id} fails in: {describe(world).splitlines()[0]}")
        return bool(self._cache[key])


def _key(world):
    return repr(world)


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
