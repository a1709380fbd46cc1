"""What counts as blank text: the whitespace of the contract's `\\S` patterns, not Python's.

OpenAPI 3.1 patterns are ECMA-262 regular expressions, whose `\\s` differs from ``str.isspace``:
it takes U+FEFF (byte order mark) as whitespace and U+001C..U+001F and U+0085 as text. The
emulator trims and tests with this set, so a value the contract accepts is never refused as
blank, and one it refuses is never accepted.
"""

# ECMA-262 WhiteSpace (TAB, VT, FF, SP, NBSP, ZWNBSP, the other Zs) and LineTerminator (LF, CR, LS, PS).
WHITESPACE = ("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
              "\u2028\u2029\u202f\u205f\u3000\ufeff")


def trimmed(text):
    """``text`` without leading and trailing whitespace."""
    return text.strip(WHITESPACE)


def blank(text):
    """Whether ``text`` is empty or whitespace only (fails a `\\S` pattern)."""
    return not trimmed(text)
