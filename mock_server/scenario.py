"""Read and validate scenario files: YAML or JSON, checked against scenarios/schema.json.

Every problem is reported as ``file:line: field: what is wrong``. Parsing uses libyaml when
present; only when a file is invalid is it composed again to find the line of each field.
A file that passed is cached as JSON in __pycache__ beside it (keyed by its hash and the
schema's), so a server start skips importing YAML and validating the same world again.
"""

import json
from pathlib import Path

from . import yaml_document
from .json_cache import cached_json

from .state.clock import EARLIEST, LATEST, iso, parse_iso
from .state.errors import InvalidScenario
from .state.faults import fault_problems
from .state.product_catalog import product_problems

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SCHEMA_PATH = SCENARIO_DIR / "schema.json"
DEFAULT_SCENARIO = SCENARIO_DIR / "default.yaml"

_validator = None
# What decides whether a file is valid: a change to any of these invalidates the cache.
_STATE = Path(__file__).resolve().parent / "state"
_VALIDATED_BY = (SCHEMA_PATH, Path(__file__).resolve(), _STATE / "faults.py", _STATE / "product_catalog.py")


def load_file(path):
    """Read, parse and validate a scenario file; raises InvalidScenario."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidScenario(f"{path}: cannot read scenario file: {exc}") from None
    text = yaml_document.decode(raw, str(path), InvalidScenario)
    return cached_json(path, raw, lambda: parse(text, str(path)), keyed_by=_VALIDATED_BY)


def parse(text, source):
    """Parse scenario text (YAML, of which JSON is a subset) and validate it; dates stay strings."""
    data = yaml_document.parse(text, source, InvalidScenario)
    if not isinstance(data, dict):
        raise InvalidScenario(f"{source}:1: the scenario must be a mapping (name, partners, businessUnits, ...)")
    problems = yaml_document.schema_problems(_schema(), data) or _semantic_problems(data)
    if problems:
        raise InvalidScenario(yaml_document.describe(problems, text, source))
    return data


def _schema():
    global _validator
    if _validator is None:
        import jsonschema_rs

        _validator = jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text()))
    return _validator


def _semantic_problems(data):
    """Rules JSON Schema cannot say: uniqueness across the world and references."""
    problems, seen = [], {}

    def unique(kind, value, path):
        key = (kind, str(value).lower())
        if key in seen:
            problems.append((path, f"duplicate {kind} {value!r} (first used at {yaml_document.dotted(seen[key])})"))
        else:
            seen[key] = path

    for i, partner in enumerate(data.get("partners", [])):
        unique("partner id", partner["id"], ["partners", i, "id"])
        unique("apiKey", partner["apiKey"], ["partners", i, "apiKey"])
        for j, user in enumerate(partner.get("users", [])):
            unique("user id", user["id"], ["partners", i, "users", j, "id"])
            unique("user email", user["email"], ["partners", i, "users", j, "email"])
    for i, unit in enumerate(data.get("businessUnits", [])):
        base = ["businessUnits", i]
        unique("business unit id", unit["id"], base + ["id"])
        for name_i, name in enumerate([unit["domain"]] + unit.get("otherDomains", [])):
            unique("domain", name, base + (["domain"] if name_i == 0 else ["otherDomains", name_i - 1]))
        for j, user in enumerate(unit.get("users", [])):
            unique("user id", user["id"], base + ["users", j, "id"])
            unique("user email", user["email"], base + ["users", j, "email"])
        for j, app in enumerate(unit.get("applications", [])):
            unique("apiKey", app["apiKey"], base + ["applications", j, "apiKey"])
        for j, template in enumerate(unit.get("templates", [])):
            unique("template id", template["id"], base + ["templates", j, "id"])
        problems.extend(_review_problems(unit, base))
        problems.extend(product_problems(unit, base))
    problems.extend(fault_problems(data))
    start = data.get("clock", {}).get("start")
    if start is not None:
        try:
            instant = parse_iso(str(start))
        except ValueError:
            problems.append((["clock", "start"], f"{start!r} is not a valid ISO-8601 date-time"))
        else:
            if not EARLIEST <= instant < LATEST:
                problems.append((["clock", "start"], f"{start!r} is out of range: the clock runs from "
                                                     f"{iso(EARLIEST)} to before {iso(LATEST)}"))
    return problems


def _review_problems(unit, base):
    locations = unit.get("locations")
    known = {loc.get("id") for loc in locations} if isinstance(locations, list) else set()
    problems = []
    reviews = unit.get("reviews")
    for j, review in enumerate(reviews if isinstance(reviews, list) else []):
        if "locationId" in review and review["locationId"] not in known:
            problems.append((base + ["reviews", j, "locationId"],
                             f"{review['locationId']!r} is not the id of a location of this business unit"))
        if "createdAt" in review:
            try:
                parse_iso(str(review["createdAt"]))
            except ValueError:
                problems.append((base + ["reviews", j, "createdAt"], "not a valid ISO-8601 date-time"))
    return problems
