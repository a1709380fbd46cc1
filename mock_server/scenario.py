"""Read and validate scenario files: YAML or JSON, checked against scenarios/schema.json.

Every problem is reported as ``file:line: field: what is wrong``. Parsing uses libyaml when
present; only when a file is invalid is it composed again to find the line of each field.
A file that passed is cached as JSON in __pycache__ beside it (keyed by its hash and the
schema's), so a server start skips importing YAML and validating the same world again.
"""

import json
from pathlib import Path

from . import scenario_limits, yaml_document
from .json_cache import cached_json
from .resources import SCENARIO_DIR

from .state.clock import EARLIEST, LATEST, iso, parse_iso
from .state.errors import InvalidScenario
from .state.faults import fault_problems
from .state.product_catalog import product_problems

SCHEMA_PATH = SCENARIO_DIR / "schema.json"
DEFAULT_SCENARIO = SCENARIO_DIR / "default.yaml"

_validator = None
# What decides whether a file is valid: a change to any of these invalidates the cache.
_STATE = Path(__file__).resolve().parent / "state"
_VALIDATED_BY = (SCHEMA_PATH, Path(__file__).resolve(), _STATE / "faults.py", _STATE / "product_catalog.py",
                 Path(__file__).resolve().parent / "scenario_limits.py")


def load_file(path):
    """Read, parse and validate a scenario file; raises InvalidScenario."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidScenario(f"{path}: cannot read scenario file: {exc}") from None
    text = yaml_document.decode(raw, str(path), InvalidScenario)
    limits = _limits()
    if limits != scenario_limits.DEFAULT_LIMITS:  # the cache only knows validity under the default caps
        return parse(text, str(path), limits)
    return cached_json(path, raw, lambda: parse(text, str(path), limits), keyed_by=_VALIDATED_BY)


def parse(text, source, limits=None):
    """Parse scenario text (YAML, of which JSON is a subset) and validate it; dates stay strings.
    ``limits``: the size caps (scenario_limits.py), by default those of the environment."""
    data = yaml_document.parse(text, source, InvalidScenario)
    if not isinstance(data, dict):
        raise InvalidScenario(f"{source}:1: the scenario must be a mapping (name, partners, businessUnits, ...)")
    problems = (yaml_document.schema_problems(_schema(), data)
                or scenario_limits.size_problems(data, limits or _limits()) or _semantic_problems(data))
    if problems:
        raise InvalidScenario(yaml_document.describe(problems, text, source))
    return data


def _limits():
    try:
        return scenario_limits.current_limits()
    except ValueError as exc:
        raise InvalidScenario(f"{scenario_limits.ENVIRONMENT}: {exc}") from None


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
    for i, consumer in enumerate(data.get("consumers", [])):
        unique("consumer id", consumer["id"], ["consumers", i, "id"])
    problems.extend(_consumer_problems(data))
    problems.extend(fault_problems(data))
    problems.extend(_reference_problems(data))
    problems.extend(_grant_problems(data))
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


def _consumer_problems(data):
    """A listed review's consumerId names a declared consumer, and then the review has no consumerName."""
    problems, declared = [], {consumer["id"] for consumer in data.get("consumers", [])}
    for i, consumer in enumerate(data.get("consumers", [])):
        if "createdAt" in consumer:
            try:
                parse_iso(str(consumer["createdAt"]))
            except ValueError:
                problems.append((["consumers", i, "createdAt"], "not a valid ISO-8601 date-time"))
    for i, unit in enumerate(data.get("businessUnits", [])):
        reviews = unit.get("reviews")
        for j, review in enumerate(reviews if isinstance(reviews, list) else []):
            if "consumerId" not in review:
                continue
            path = ["businessUnits", i, "reviews", j]
            if review["consumerId"] not in declared:
                problems.append((path + ["consumerId"], f"{review['consumerId']!r} is not the id of a consumer "
                                                        "of this world (declare it under 'consumers')"))
            if "consumerName" in review:
                problems.append((path + ["consumerName"], "give consumerId or consumerName, not both: the "
                                                          "consumer's displayName is its name"))
    return problems


def _reference_problems(data):
    """Every id or key the world refers to names something in it (a dangling one is an error)."""
    problems = []
    units = {unit["id"] for unit in data.get("businessUnits", [])}
    keys = {p["apiKey"] for p in data.get("partners", [])} | {
        app["apiKey"] for unit in data.get("businessUnits", []) for app in unit.get("applications", [])}
    generated = None
    for i, hook in enumerate(data.get("webhooks", [])):
        for j, unit_id in enumerate(hook.get("businessUnitIds", [])):
            if unit_id not in units and generated is None:
                generated = _generated_unit_ids(data)
            if unit_id not in units and unit_id not in generated:
                problems.append((["webhooks", i, "businessUnitIds", j],
                                 f"{unit_id!r} is not the id of a business unit of this world"))
    for i, rule in enumerate(data.get("faults", [])):
        for field in ("apikey", "clientId"):
            key = rule.get("credentials", {}).get(field)
            if key is not None and key not in keys:
                problems.append((["faults", i, "credentials", field],
                                 f"{key!r} is not the apiKey of a partner or application of this world "
                                 "(customer keys are minted at run time: add such a rule with POST /_mock/faults)"))
    return problems


def _generated_unit_ids(data):
    from .state import generators

    spec = data.get("generatedBusinessUnits")
    return {unit["id"] for unit in generators.business_units(spec, data.get("seed", 0))} if spec else set()


def _grant_problems(data):
    """A seeded grant names an application and one of its users, and no token twice."""
    apps, users = {}, {}  # apiKey -> owner; user email or id -> owner
    for partner in data.get("partners", []):
        apps[partner["apiKey"]] = ("partner", partner["id"])
        for user in partner.get("users", []):
            users[user["email"].lower()] = users[user["id"]] = ("partner", partner["id"])
    for unit in data.get("businessUnits", []):
        for app in unit.get("applications", []):
            apps[app["apiKey"]] = ("business unit", unit["id"])
        for user in unit.get("users", []):
            users[user["email"].lower()] = users[user["id"]] = ("business unit", unit["id"])
    problems, tokens = [], {}
    for i, grant in enumerate(data.get("grants", [])):
        base = ["grants", i]
        owner = apps.get(grant["application"])
        if owner is None:
            problems.append((base + ["application"], f"{grant['application']!r} is not the apiKey of a partner or "
                                                     "of a business unit's application in this world"))
        user = users.get(grant["user"]) or users.get(grant["user"].lower())
        if user is None:
            problems.append((base + ["user"], f"{grant['user']!r} is not the email or id of a business user "
                                              "in this world"))
        elif owner is not None and user != owner:
            problems.append((base + ["user"], f"{grant['user']!r} is a user of {user[0]} {user[1]}, not of the "
                                              f"application's {owner[0]} {owner[1]}"))
        for field in ("accessToken", "refreshToken"):
            token = grant.get(field)
            if token is None:
                continue
            if token in tokens:
                problems.append((base + [field], f"the token {token[:6]}... is already used at "
                                                 f"{yaml_document.dotted(tokens[token])}; each seeded token must be unique"))
            tokens.setdefault(token, base + [field])
    return problems
