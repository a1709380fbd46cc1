"""Small images the sandbox draws itself (PNG and SVG), so every image link it hands out
points at the sandbox, never at the internet.

Only the sizes the API hands out are drawn (a name asks for nothing bigger), each a flat
picture: a star bar filled to its number of stars in Trustpilot green, or a unit's logo in a
colour made from its id. PNG is written with the standard library (zlib, one filter byte per
row), so no imaging dependency is needed for pictures this plain.
"""

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass

STAR_VALUES = ("0", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5")
STAR_SIZES = ((128, 24), (256, 48), (512, 96))
LOGO_SIZES = ((100, 100), (200, 200), (400, 400))
GREEN, GREY = (0x00, 0xB6, 0x7A), (0xDC, 0xDC, 0xE6)
STAR_FILE = re.compile(r"stars-(?P<stars>[0-9.]+)(-(?P<w>\d+)x(?P<h>\d+)\.png|\.svg)")
LOGO_FILE = re.compile(r"logo-(?P<unit>[0-9a-f]{24})-(?P<w>\d+)x(?P<h>\d+)\.png")


@dataclass(frozen=True)
class ImageFile:
    """A drawn image: its media type and bytes."""

    mimetype: str
    data: bytes


def star_file(stars, size=None):
    """The file name of a star bar (``size`` (w, h) for PNG, None for SVG)."""
    return f"stars-{stars}.svg" if size is None else f"stars-{stars}-{size[0]}x{size[1]}.png"


def logo_file(unit_id, size):
    return f"logo-{unit_id}-{size[0]}x{size[1]}.png"


def parse(name):
    """('stars', stars, size or None) or ('logo', unit id, size) for a name this module hands out, else None."""
    match = STAR_FILE.fullmatch(name)
    if match and match["stars"] in STAR_VALUES:
        if match["w"] is None:
            return "stars", match["stars"], None
        size = (int(match["w"]), int(match["h"]))
        return ("stars", match["stars"], size) if size in STAR_SIZES else None
    match = LOGO_FILE.fullmatch(name)
    if match and (int(match["w"]), int(match["h"])) in LOGO_SIZES:
        return "logo", match["unit"], (int(match["w"]), int(match["h"]))
    return None


def star_png(stars, size):
    width, height = size
    filled = round(width * float(stars) / 5)
    row = bytes(GREEN) * filled + bytes(GREY) * (width - filled)
    return ImageFile("image/png", _png(width, height, [row] * height))


def star_svg(stars):
    filled = round(120 * float(stars) / 5)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="24" viewBox="0 0 120 24">'
           f'<title>{stars} stars</title><rect width="120" height="24" fill="#dcdce6"/>'
           f'<rect width="{filled}" height="24" fill="#00b67a"/></svg>')
    return ImageFile("image/svg+xml", svg.encode())


def logo_png(unit_id, size):
    width, height = size
    colour = hashlib.sha256(unit_id.encode()).digest()[:3]
    return ImageFile("image/png", _png(width, height, [colour * width] * height))


def _png(width, height, rows):
    """An 8-bit RGB PNG of ``rows`` (bytes of 3 * width each)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
