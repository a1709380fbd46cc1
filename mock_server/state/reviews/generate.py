"""Seeded review rows at scale: one ``getrandbits`` per review drives every choice.

Rows come out oldest first with dates spread evenly over the two years before the anchor,
and ids shaped like Mongo ObjectIds (creation time in the first four bytes), so a world of a
million reviews is written in index order and loads in seconds.
"""

import time
from collections import deque

from ..generators import FIRST, LAST, TWO_YEARS

STARS = [1] * 8 + [2] * 4 + [3] * 6 + [4] * 22 + [5] * 60          # 100 slots: a typical profile
LANGUAGES = ["en"] * 10 + ["da"] * 3 + ["de"] * 1 + ["es"] * 1 + ["it"] * 1   # 16 slots
COUNTRIES = ["GB", "DK", "US", "DE", "ES", "IT", "SE", "NL"]
UNINVITED = ["Organic", "BasicLink", "AFSv2"]
TAGS = [(("generic", value),) for value in ("delivery", "support", "price", "quality", "returns")]
NO_TAGS = ()
NAMES = [f"{first} {last}" for first in FIRST for last in LAST]
EMAILS = [f"{first.lower()}.{last.lower()}" for first in FIRST for last in LAST]
TITLES = {1: ["Very disappointed", "Never again", "Awful service"],
          2: ["Not great", "Could be better", "Slow and sloppy"],
          3: ["It was okay", "Average experience", "Fine, nothing special"],
          4: ["Good service", "Happy overall", "Would recommend"],
          5: ["Excellent!", "Fantastic experience", "Couldn't be happier"]}
TEXTS = {1: "The order arrived late, damaged, and support never answered my emails.",
         2: "Slow delivery and the product was not as described on the website.",
         3: "Fine overall. Delivery took a while but the product works as expected.",
         4: "Quick delivery and friendly staff. Would buy from them again.",
         5: "Fantastic experience from start to finish. Great prices, fast delivery, highly recommended."}
REPLIES = {1: "We are very sorry to hear this. Please contact our support team so we can make it right.",
           2: "Thank you for the feedback; we are looking into what went wrong with your order.",
           3: "Thanks for your review! We are always working to improve.",
           4: "Thank you for the kind words, we hope to see you again soon.",
           5: "Thank you so much! We are delighted you had a great experience."}
DAY = 86400
# Some reviewers come back: about one review in eight is by one of the unit's last 64 reviewers.
RETURNING, RECENT = 4, 64


class _Dates:
    """iso() for increasing timestamps, an order of magnitude cheaper: the day part is cached."""

    def __init__(self):
        self._day, self._prefix = None, ""

    def __call__(self, ts):
        day, rest = divmod(ts, DAY)
        if day != self._day:
            self._day, self._prefix = day, time.strftime("%Y-%m-%dT", time.gmtime(day * DAY))
        hours, rest = divmod(rest, 3600)
        return f"{self._prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


def review_rows(ids, count, unit_id, location_ids, anchor, reply_author):
    """(row tuple, tags) for ``count`` reviews; see reviews.install.COLUMNS for the tuple order.

    Generated rows leave ``text`` and ``reply_text`` NULL: the text for their stars is filled in
    when rendered (render.py), which keeps a million-review world small and quick to write."""
    rnd, iso, day_iso = ids.random, _Dates(), _Dates()
    locations, replies = len(location_ids), reply_author is not None
    start = anchor - TWO_YEARS
    step = TWO_YEARS / max(count, 1)
    reply_iso = _Dates()
    recent = deque(maxlen=RECENT)  # (consumer id, name, country) of the latest new reviewers
    for n in range(count):
        ts = int(start + (n + rnd.random()) * step)
        r = rnd.getrandbits(64)
        stars = STARS[r % 100]
        name = (r >> 7) % len(NAMES)
        invited = (r >> 17) % 10 < 6
        replied = replies and (r >> 21) % 100 < 35
        reply_at = reply_iso(ts + DAY * (1 + (r >> 40) % 3)) if replied else None
        review_id = f"{ts:08x}{r & 0xFFFFFFFFFF:010x}{n & 0xFFFFFF:06x}"
        if recent and (r >> 49) % 30 < RETURNING:
            consumer_id, name, country = recent[(r >> 50) % len(recent)]
        else:
            consumer_id, country = review_id[8:18] + review_id[:8] + review_id[18:], COUNTRIES[(r >> 46) % 8]
            recent.append((consumer_id, name, country))
        row = (review_id, unit_id, n + 1, stars, TITLES[stars][(r >> 30) % 3], None, LANGUAGES[(r >> 32) % 16],
               iso(ts), None, day_iso(ts - ts % DAY - DAY * ((r >> 36) % 10)),
               consumer_id, NAMES[name], country, 1 + (r >> 49) % 30,
               location_ids[(r >> 28) % locations] if locations and (r >> 24) % 10 < 7 else None, int(invited),
               (r >> 54) % 10, "InvitationApi" if invited else UNINVITED[(r >> 58) % 3],
               f"ORD-{n + 1:07d}" if invited else None, f"{EMAILS[name]}{n + 1}@example.com" if invited else None,
               None, None, reply_author if replied else None, reply_at, reply_at,
               REPORT if (r >> 44) % 100 == 0 else None)
        yield row, (TAGS[(r >> 60) % 5] if (r >> 55) % 10 == 0 else NO_TAGS)


REPORT = ('{"source": "BusinessUser", "publicComment": null, "createdAt": null, '
          '"reasons": ["consumerIsCompetitor"], "reason": "consumer_is_competitor", "reviewVisibility": "hidden"}')
