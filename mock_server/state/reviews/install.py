"""Write a business unit's reviews (listed or generated) when a world is loaded."""

import json

from ..clock import iso, parse_iso
from ..ids import SeededIds
from ..store import insert_many
from .generate import review_rows

COLUMNS = ("id", "business_unit_id", "pos", "stars", "title", "text", "language", "created_at", "updated_at",
           "experienced_at", "consumer_id", "consumer_name", "consumer_country", "consumer_reviews",
           "location_id", "verified", "likes", "source", "reference_id", "referral_email", "invitation_id",
           "reply_text", "reply_author", "reply_created_at", "reply_updated_at", "report")
BATCH = 20000
# Above this many reviews in one unit, the indexes are dropped while writing and built after:
# one sorted build is several times cheaper than a million index inserts.
BULK = 50000
INDEXES = {
    "reviews_by_id": "CREATE UNIQUE INDEX IF NOT EXISTS reviews_by_id ON reviews (id)",
    "reviews_by_pos": "CREATE UNIQUE INDEX IF NOT EXISTS reviews_by_pos ON reviews (business_unit_id, pos)",
    "reviews_by_stars": "CREATE INDEX IF NOT EXISTS reviews_by_stars ON reviews (business_unit_id, stars, pos)",
    # A consumer's reviews and their count (state/consumer_profiles.py).
    "reviews_by_consumer": "CREATE INDEX IF NOT EXISTS reviews_by_consumer ON reviews (consumer_id)",
    "reviews_reported": "CREATE INDEX IF NOT EXISTS reviews_reported ON reviews (business_unit_id, pos) "
                        "WHERE report IS NOT NULL",
}


def install_business_unit(db, unit, context):
    admins = [u["id"] for u in unit.get("users", []) if u.get("role", "admin") in ("admin", "manager")]
    spec = unit.get("reviews")
    if isinstance(spec, dict):
        ids = SeededIds(spec["seed"]) if spec.get("seed") is not None else context.ids
        rows = review_rows(ids, spec["generate"], unit["id"], context.location_ids, context.anchor,
                           admins[0] if admins else None)
    else:
        rows = _listed_rows(spec or [], unit, context, admins[0] if admins else None)
    bulk = isinstance(spec, dict) and spec["generate"] >= BULK
    if bulk:
        for name in INDEXES:
            db.execute(f"DROP INDEX IF EXISTS {name}")
    _write(db, rows, context.progress)
    if bulk:
        for sql in INDEXES.values():
            db.execute(sql)
    db.execute("INSERT INTO review_counts (business_unit_id, stars, count) "
               "SELECT business_unit_id, stars, count(*) FROM reviews "
               "WHERE business_unit_id = ? GROUP BY stars", (unit["id"],))


def install_world(db, scenario, now):
    """Nothing world-wide: reviews belong to business units."""


def _write(db, rows, progress=None):
    batch, tags = [], []
    for row, row_tags in rows:
        batch.append(row)
        tags.extend((row[0], group, value) for group, value in row_tags)
        if len(batch) >= BATCH:
            _flush(db, batch, tags, progress)
            batch, tags = [], []
    _flush(db, batch, tags, progress)


def _flush(db, batch, tags, progress):
    insert_many(db, "reviews", COLUMNS, batch)
    db.executemany("INSERT OR IGNORE INTO review_tags VALUES (?, ?, ?)", tags)
    if progress and batch:
        progress(len(batch))


def _listed_rows(reviews, unit, context, admin):
    """Reviews written out in the scenario, put in creation order (ties keep file order)."""
    dated = sorted(enumerate(reviews), key=lambda item: (_epoch(item[1], context.anchor), item[0]))
    for pos, (_, review) in enumerate(dated, start=1):
        ts = _epoch(review, context.anchor)
        reply = review.get("reply")
        reply_at = iso(parse_iso(str(reply["createdAt"]))) if reply and reply.get("createdAt") else (
            iso(ts + 86400) if reply else None)
        review_id, consumer_id = review.get("id") or context.ids.object_id(), context.ids.object_id()
        # A declared consumer's name and country are copied in by consumer_profiles.install_world.
        row = (review_id, unit["id"], pos, review["stars"],
               review.get("title", ""), review.get("text", ""), review.get("language", "en"), iso(ts), None,
               iso(ts), review.get("consumerId", consumer_id), review.get("consumerName", "Anonymous"), None, 1,
               review.get("locationId"), int(review.get("isVerified", False)), 0, review.get("source", "Organic"),
               review.get("referenceId"), None, None, reply["text"] if reply else None,
               (reply.get("authorBusinessUserId") or admin) if reply else None, reply_at, reply_at,
               json.dumps(_report(review["report"])) if review.get("report") else None)
        yield row, [(t["group"], t["value"]) for t in review.get("tags", [])]


def _epoch(review, anchor):
    return int(parse_iso(str(review["createdAt"]))) if review.get("createdAt") else int(anchor)


def _report(report):
    reason = report.get("reason", "other")
    return {"source": "BusinessUser", "publicComment": report.get("publicComment"), "createdAt": None,
            "reasons": [reason], "reason": reason, "reviewVisibility": "hidden"}
