"""Progress of loading a big world, shown on a terminal and nowhere else: a line rewritten in
place (reviews written of the total), cleared when the load ends. Logs and CI output stay quiet."""

import sys
import time

from .state import generators


def review_total(world):
    """How many reviews ``world`` will write: listed, generated per unit, and generated units."""
    total = 0
    for unit in generators.world_business_units(world):
        spec = unit.get("reviews")
        total += spec.get("generate", 0) if isinstance(spec, dict) else len(spec or [])
    return total


class TerminalProgress:
    """A ``progress(n)`` callable for world.install; silent unless ``stream`` is a terminal and the
    world is big enough to take a noticeable time."""

    SHOWN_FROM = 100_000  # reviews: smaller worlds load in well under a second
    EVERY = 0.2           # seconds between redraws

    def __init__(self, world, stream=None, clock=time.monotonic):
        self.stream = stream or sys.stderr
        self.name, self.done, self._clock, self._drawn_at = world.get("name", "?"), 0, clock, None
        # Counted only for a terminal: a world of generated units is iterated to count its reviews,
        # start-up work a log or a pipe would never show.
        self.total = review_total(world) if _is_terminal(self.stream) else None
        self.active = self.total is not None and self.total >= self.SHOWN_FROM

    def __call__(self, count):
        self.done += count
        if self.active and (self._drawn_at is None or self._clock() - self._drawn_at >= self.EVERY
                            or self.done >= self.total):
            self._drawn_at = self._clock()
            percent = 100 * self.done // max(self.total, 1)
            self.stream.write(f"\rLoading the world {self.name!r}: {self.done:,} of {self.total:,} reviews ({percent}%)")
            self.stream.flush()

    def finish(self):
        """Clear the line, so the banner that follows starts on a clean one."""
        if self.active and self._drawn_at is not None:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
