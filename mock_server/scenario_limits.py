"""How big a world a scenario may ask for: caps per kind of row, raised on purpose for big worlds.

A scenario's ``generate`` counts are multiplied out here, before anything is built, so that a
file asking for ten billion reviews is refused in a millisecond rather than after filling the
disk. The caps are generous (a million reviews, the scale tests' world, loads by default); a
bigger world is a deliberate choice: ``--limit reviews=5000000`` on ``trustpilot-mock serve``
or ``scenario validate``, or the environment variable TRUSTPILOT_MOCK_LIMITS (read by every
loader, the pytest plugin and ``POST /_mock/scenario`` included).
"""

import os

ENVIRONMENT = "TRUSTPILOT_MOCK_LIMITS"
DEFAULT_LIMITS = {
    "businessUnits": 100_000,
    "reviews": 2_000_000,
    "productReviews": 2_000_000,
    "locations": 1_000_000,
    "products": 100_000,
}
UNIT_AREAS = ("reviews", "productReviews", "locations", "products")


def parse_limits(text):
    """``reviews=5000000,locations=2000000`` as a dict; raises ValueError saying what is wrong."""
    limits = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, sep, value = item.partition("=")
        if name not in DEFAULT_LIMITS or not sep or not value.strip().isdigit():
            raise ValueError(f"{item!r} is not a size limit: write NAME=N with NAME one of "
                             f"{', '.join(DEFAULT_LIMITS)}")
        limits[name] = int(value)
    return limits


def current_limits():
    """The defaults with TRUSTPILOT_MOCK_LIMITS over them (a bad value is the loader's error)."""
    return {**DEFAULT_LIMITS, **parse_limits(os.environ.get(ENVIRONMENT))}


def size_problems(data, limits):
    """[(path, message)] for each kind of row whose total in the world passes its limit; the path
    is the field where the running total first passes it."""
    totals, problems = dict.fromkeys(DEFAULT_LIMITS, 0), {}

    def add(kind, count, path):
        totals[kind] += count
        if totals[kind] > limits[kind] and kind not in problems:
            problems[kind] = (path, _message(kind, totals[kind], limits[kind], path))

    units = data.get("businessUnits", [])
    add("businessUnits", len(units), ["businessUnits"])
    for i, unit in enumerate(units):
        for kind in UNIT_AREAS:
            value = unit.get(kind)
            if isinstance(value, dict):
                add(kind, value.get("generate", 0), ["businessUnits", i, kind, "generate"])
            elif isinstance(value, list):
                add(kind, len(value), ["businessUnits", i, kind])
    generated = data.get("generatedBusinessUnits")
    if generated:
        count, base = generated["generate"], ["generatedBusinessUnits"]
        add("businessUnits", count, base + ["generate"])
        add("reviews", count * generated.get("reviewsPerUnit", 50), base + ["reviewsPerUnit"])
        add("locations", count * generated.get("locationsPerUnit", 3), base + ["locationsPerUnit"])
    return list(problems.values())


def _message(kind, total, limit, path):
    raised = max(total, limit * 2)
    return (f"the world would hold {total:,} {kind}, over the limit of {limit:,} (a cap against runaway sizes); "
            f"for a bigger world on purpose, raise it: --limit {kind}={raised} "
            f"or {ENVIRONMENT}={kind}={raised}")
