"""A parsed file kept as JSON in __pycache__ beside it, like a .pyc: start-ups that read the
same file again skip the parse (and whatever checking came with it)."""

import hashlib
import json
import os


def cached_json(path, raw, build, keyed_by=()):
    """``build()``'s result for the file at ``path`` whose bytes are ``raw``; reused while those
    bytes and the files in ``keyed_by`` (what decides the result) are unchanged."""
    digest = hashlib.sha256(raw + b"".join(p.read_bytes() for p in keyed_by)).hexdigest()
    cache = path.parent / "__pycache__" / f"{path.name}.json"
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored.get("sha256") == digest:
            return stored["value"]
    except (OSError, ValueError, AttributeError, KeyError):  # missing, damaged or of an older layout
        pass
    # Through JSON either way, so a fresh result and the cached copy are the same value.
    text = json.dumps({"sha256": digest, "value": build()}, default=str)
    try:
        cache.parent.mkdir(exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, cache)  # atomic: processes starting together never read half a file
    except OSError:
        pass  # a read-only checkout builds at each start
    return json.loads(text)["value"]
