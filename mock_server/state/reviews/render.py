"""Review rows to the API's JSON shapes (public and private), a page of rows at a time.

Shapes follow reference §3.3/§3.4: ``stars`` and ``consumer.numberOfReviews`` integers,
``companyReply`` an object or null, ``reportData`` null unless reported, dates ``...Z``.
``consumer.numberOfReviews`` is counted from the world, as the Consumer API counts it
(state/consumer_profiles.py); the ``consumer_reviews`` column is no longer read.
"""

import json

from ..clock import iso, parse_iso
from .generate import REPLIES, TEXTS


def render_page(db, rows, base, private=False):
    """JSON objects for ``rows`` (sqlite3.Row of the reviews table), with their unit, location and tags."""
    if not rows:
        return []
    units = _by_id(db, "SELECT id, identifying_name, display_name FROM business_units WHERE id IN ({})",
                   {row["business_unit_id"] for row in rows})
    locations = _by_id(db, "SELECT id, name, url_formatted_name FROM locations WHERE id IN ({})",
                       {row["location_id"] for row in rows if row["location_id"]})
    tags = _tags(db, [row["id"] for row in rows]) if private else {}
    consumers = consumer_facts(db, {row["consumer_id"] for row in rows})
    return [render(row, units[row["business_unit_id"]], locations.get(row["location_id"]), base,
                   tags.get(row["id"], []) if private else None, consumers[row["consumer_id"]]) for row in rows]


def consumer_facts(db, consumer_ids):
    """{consumer id: (number of reviews, display location or None)}: counted from the world; the
    location from a declared consumer's city and country (state/consumer_profiles.py)."""
    facts = {}
    for consumer_id, count, city, country in db.execute(
            "SELECT r.consumer_id, count(*), c.city, c.country FROM reviews r "
            "LEFT JOIN consumers c ON c.id = r.consumer_id "
            "WHERE r.consumer_id IN (SELECT value FROM json_each(?)) GROUP BY r.consumer_id",
            (json.dumps(sorted(consumer_ids)),)):
        facts[consumer_id] = (count, display_location(city, country))
    return facts


def render_likes(db, row, likers, base):
    """The likes of review ``row`` by ``likers`` ((consumer id, name, country)), an hour apart."""
    facts = consumer_facts(db, {liker[0] for liker in likers})
    created = parse_iso(row["created_at"])
    return [{"consumer": _consumer(*liker, facts.get(liker[0]), base), "createdAt": iso(created + 3600 * n)}
            for n, liker in enumerate(likers, start=1)]


def _consumer(consumer_id, name, country, facts, base):
    count, declared_location = facts or (1, None)
    return {"id": consumer_id, "displayName": name, "displayLocation": declared_location or country,
            "numberOfReviews": count,
            "links": [{"href": f"{base}/v1/consumers/{consumer_id}", "method": "GET", "rel": "consumers"}]}


def display_location(city, country):
    """'Frederiksberg, DK' as in the reference's example; None when neither is known."""
    return ", ".join(part for part in (city, country) if part) or None


def render(row, unit, location, base, tags=None, consumer=None):
    """One review; ``consumer``: (number of reviews, declared display location) from consumer_facts."""
    body = {
        "links": [{"href": f"{base}/v1/reviews/{row['id']}", "method": "GET", "rel": "reviews"}],
        "id": row["id"],
        "consumer": _consumer(row["consumer_id"], row["consumer_name"], row["consumer_country"], consumer, base),
        "businessUnit": {"id": unit["id"], "identifyingName": unit["identifying_name"],
                         "displayName": unit["display_name"],
                         "links": [{"href": f"{base}/v1/business-units/{unit['id']}", "method": "GET",
                                    "rel": "business-units"}]},
        "location": ({"id": location["id"], "name": location["name"],
                      "urlFormattedName": location["url_formatted_name"]} if location else None),
        "stars": row["stars"], "title": row["title"],
        "text": row["text"] if row["text"] is not None else TEXTS[row["stars"]], "language": row["language"],
        "createdAt": row["created_at"], "updatedAt": row["updated_at"], "experiencedAt": row["experienced_at"],
        "companyReply": _reply(row, private=tags is not None),
        "isVerified": bool(row["verified"]), "numberOfLikes": row["likes"], "status": "active",
        "reportData": json.loads(row["report"]) if row["report"] else None,
        "complianceLabels": [],
        "countsTowardsTrustScore": True,
        "countsTowardsLocationTrustScore": True if location else None,
        "invitation": {"businessUnitId": unit["id"]} if row["verified"] else None,
        "businessUnitHistory": [],
        "reviewVerificationLevel": "invited" if row["verified"] else "not-verified",
    }
    if tags is not None:
        body.update({"referralEmail": row["referral_email"], "referenceId": row["reference_id"],
                     "source": row["source"], "tags": [{"group": g, "value": v} for g, v in tags],
                     "findReviewer": {"isEligible": bool(row["verified"]), "requests": []}})
    return body


def _reply(row, private):
    if row["reply_created_at"] is None:
        return None
    text = row["reply_text"] if row["reply_text"] is not None else REPLIES[row["stars"]]
    reply = {"text": text, "createdAt": row["reply_created_at"], "updatedAt": row["reply_updated_at"]}
    if private:
        reply["authorBusinessUserId"] = row["reply_author"]
    return reply


def _by_id(db, sql, ids):
    if not ids:
        return {}
    ids = list(ids)
    return {row["id"]: row for row in db.execute(sql.format(",".join("?" * len(ids))), ids)}


def _tags(db, review_ids):
    out = {}
    rows = db.execute(f"SELECT review_id, grp, value FROM review_tags WHERE review_id IN "
                      f"({','.join('?' * len(review_ids))}) ORDER BY grp, value", review_ids)
    for row in rows:
        out.setdefault(row["review_id"], []).append((row["grp"], row["value"]))
    return out
