"""The one glob matcher for request paths: fault rules (state/faults.py) and journal queries
(testing/journal.py, the conformance kit's checks) match paths the same way.

A pattern matches the whole path (no query string), case-sensitively:
  ``*``   any run of characters but ``/`` (within one segment, possibly empty)
  ``**``  any run of characters, ``/`` included (any number of segments)
  ``?``   one character but ``/``
Everything else is literal (``.``, ``+``, ``[``... mean themselves). Globs, not regexes: a
regex cannot be checked by the contract's schema, and a path is what users think in.
"""

import re
from functools import lru_cache

_WILD = {"**": ".*", "*": "[^/]*", "?": "[^/]"}


@lru_cache(maxsize=256)
def compile_glob(pattern):
    """The compiled regex of ``pattern``; use its ``fullmatch``. DOTALL: a percent-decoded path
    may hold a newline, and ``**`` means any run of characters."""
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    return re.compile("".join(_WILD.get(part) or re.escape(part) for part in parts), re.DOTALL)


def glob_matches(pattern, path):
    return compile_glob(pattern).fullmatch(path) is not None
