"""JSON that comes from outside (request bodies), parsed so that hostile input is a clear error.

Python's json module accepts things the rest of the emulator cannot carry: nesting deep enough
to exhaust the stack, lone UTF-16 surrogates ("\\ud800", which no UTF-8 encoder takes),
integers of thousands of digits, and the non-standard NaN/Infinity. Each is refused here with a
message that says what and where, so no later layer (jsonschema-rs, SQLite, jsonify) sees it.
Emulator decisions (the real API's limits are not published): at most MAX_DEPTH levels of
nesting, and integers of at most MAX_INT_DIGITS digits (JSON sets no limit; Python's int()
refuses longer ones, and a field that takes a number checks its own range).
"""

import json
import math

MAX_DEPTH = 64
MAX_INT_DIGITS = 1000


class JsonProblem(ValueError):
    """What is wrong with a JSON text, in words that can go straight into an error message."""


# The last body parsed: a request's body is read by the contract check, then by its view, as the
# same bytes object (Flask's cached get_data). The check only reads the value it is given.
_last = (None, None)


def loads(raw):
    """The JSON value of ``raw`` (bytes or str); raises JsonProblem saying what is wrong."""
    global _last
    last = _last
    if raw is last[0]:
        return last[1]
    value = _loads(raw)
    if isinstance(raw, bytes):
        _last = (raw, value)
    return value


def _loads(raw):
    if isinstance(raw, (bytes, bytearray)):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonProblem(f"the body is not valid UTF-8 (byte {exc.start}); JSON must be sent as UTF-8") from None
    try:
        value = json.loads(raw, parse_constant=_no_constant, parse_int=_integer, parse_float=_number)
    except RecursionError:
        raise JsonProblem(f"the body is nested too deeply (at most {MAX_DEPTH} levels of arrays and objects)") from None
    except JsonProblem:
        raise
    except ValueError as exc:
        raise JsonProblem(f"the body is not valid JSON: {exc}") from None
    check(value)
    return value


def check(value):
    """Refuse nesting beyond MAX_DEPTH and strings or keys holding lone surrogates (iteratively:
    a recursive walk would fail on the very input it checks)."""
    stack = [(value, 1, "")]
    while stack:
        node, depth, where = stack.pop()
        if isinstance(node, str):
            _text(node, where)
        elif isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                raise JsonProblem(f"the body is nested too deeply at {where or '/'} "
                                  f"(at most {MAX_DEPTH} levels of arrays and objects)")
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in items:
                path = f"{where}/{_text(key, where) if isinstance(key, str) else key}"
                stack.append((child, depth + 1, path))


def _text(text, where):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonProblem(f"the body holds a lone UTF-16 surrogate (\\u{ord(text[exc.start]):04x}) at "
                          f"{where or '/'}; it is not valid Unicode") from None
    return text[:40]


def _no_constant(name):
    raise JsonProblem(f"the body is not valid JSON: {name} is not a JSON value")


def _integer(digits):
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonProblem(f"the number {digits[:20]}... ({len(digits)} characters) in the body is out of range "
                          f"(at most {MAX_INT_DIGITS} digits)")
    return int(digits)


def _number(text):
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise JsonProblem(f"the number {shown} in the body is out of range (not a finite double)")
    return value
