"""Shapes of JSON bodies and how two differ: fields by JSON path, with list items merged into ``[]``.

Values are never compared (the two worlds differ), only which fields exist and their JSON
types. A field is reported missing or extra only where the other side showed its parent object:
an empty list or a null on one side says nothing about the fields of its items.
"""

import json
import re
from dataclasses import dataclass

ITEMS = type("Items", (), {"__repr__": lambda self: "[]"})()  # the path part for every item of a list (no key)
NULL = "null"
_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


@dataclass(frozen=True)
class Difference:
    kind: str      # missing (the real API has it, the sandbox not), extra (the reverse), type, status
    path: str | None  # JSON path ($.reviews[].consumer.id); None for a status
    real: object   # the real side's types (sorted list) or status; None when it has no such field
    sandbox: object

    def as_json(self):
        return {"kind": self.kind, "path": self.path, "real": self.real, "sandbox": self.sandbox}


def type_name(value):
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape(body):
    """{path tuple: set of JSON types seen there}; walked without recursion (a deep body is no crash)."""
    shapes = {}
    stack = [((), body)]
    while stack:
        path, value = stack.pop()
        shapes.setdefault(path, set()).add(type_name(value))
        if isinstance(value, dict):
            stack.extend((path + (key,), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((path + (ITEMS,), item) for item in value)
    return shapes


def text_shape(kind):
    """The shape of a body that is not JSON: ``text`` or ``empty`` at the root."""
    return {(): {kind}}


def differences(real, sandbox):
    """Every missing, extra and type-changed field between two shapes, in path order."""
    found = []
    for path in real.keys() | sandbox.keys():
        real_types, sandbox_types = real.get(path), sandbox.get(path)
        if sandbox_types is None and _parent_seen(path, sandbox):
            found.append(Difference("missing", render(path), sorted(real_types), None))
        elif real_types is None and _parent_seen(path, real):
            found.append(Difference("extra", render(path), None, sorted(sandbox_types)))
        elif real_types and sandbox_types and _type_changed(real_types, sandbox_types):
            found.append(Difference("type", render(path), sorted(real_types), sorted(sandbox_types)))
    return sorted(found, key=lambda difference: (difference.path, difference.kind))


def _parent_seen(path, other):
    """Whether ``other`` showed the object this field belongs to (list items are data, never fields)."""
    return bool(path) and path[-1] is not ITEMS and "object" in other.get(path[:-1], ())


def _type_changed(real, sandbox):
    """Different JSON types; a null seen on one side only, beside the same types, is data, not shape
    (one world's first reviews have replies, the other's not); null against only a value is reported."""
    real_values, sandbox_values = real - {NULL}, sandbox - {NULL}
    if real_values and sandbox_values:
        return real_values != sandbox_values
    return real.isdisjoint(sandbox)


def render(path):
    parts = ["$"]
    for part in path:
        if part is ITEMS:
            parts.append("[]")
        elif _NAME.match(part):
            parts.append(f".{part}")
        else:
            parts.append(f"[{json.dumps(part)}]")
    return "".join(parts)
