"""Business units and their locations, as the public API shows them.

``score`` and ``numberOfReviews`` are derived from the unit's star counts on every read (the
``review_counts`` table the reviews area keeps in step with its reviews), so they follow the
world as it changes and cost the same for ten reviews or a million. Emulator decision:
TrustScore is the mean star rating pulled towards 3.5 by seven virtual reviews (the real
formula also weighs recency and is not public); ``stars`` is the TrustScore rounded to the
nearest half star. The locations endpoint is in the program page but nowhere in the API docs;
its shape here is an emulator choice.
"""

import json

from . import errors
from .results import Page
from .text import trimmed

LOCATIONS_PER_PAGE = 200
STAR_FIELDS = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")


class BusinessUnits:
    """Business units and their locations; other areas look units up through it."""

    def __init__(self, store, access):
        """``access``: the sandbox's AccessRules."""
        self.store = store
        self.access = access

    def find_business_unit(self, creds, name, base_url):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            domain = domain_of(name)
            row = self.store.cached_row(db, ("unit named", domain), (("business_unit_names", None),),
                                        "SELECT business_unit_id FROM business_unit_names WHERE name = ?", (domain,))
            if row is None:
                raise errors.NotFound(f"no business unit has the domain {name!r}")
            return self._business_unit_object(db, row[0], base_url)

    def get_business_unit(self, creds, business_unit_id, base_url):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            return self._business_unit_object(db, business_unit_id, base_url)

    def list_business_unit_locations(self, creds, business_unit_id, page, per_page):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.existing_id(db, business_unit_id)
            rows = db.execute(
                "SELECT id, name, url_formatted_name, external_id, address FROM locations "
                "WHERE business_unit_id = ? AND position >= ? ORDER BY position LIMIT ?",
                (unit_id, (page - 1) * per_page, per_page + 1)).fetchall()
        return Page([_location(row) for row in rows[:per_page]], len(rows) > per_page)

    def existing_id(self, db, business_unit_id):
        row = self.store.cached_row(db, ("unit id", business_unit_id), (("business_units", business_unit_id),),
                                    "SELECT id FROM business_units WHERE id = ?", (business_unit_id,))
        if row is None:
            raise _no_such_unit(business_unit_id)
        return row[0]

    @staticmethod
    def _business_unit_row(db, business_unit_id):
        row = db.execute("SELECT * FROM business_units WHERE id = ?", (business_unit_id,)).fetchone()
        if row is None:
            raise _no_such_unit(business_unit_id)
        return row

    def _business_unit_object(self, db, business_unit_id, base_url):
        """The unit's JSON object; NotFound for an unknown id. All but its links comes from the
        store's cache (dropped when the unit's row or star counts change) and is shared by
        every caller: serialise it, never change it."""
        body = self.store.cached(db, unit_key(business_unit_id), _unit_depends_on(business_unit_id),
                                 _cached_unit_body, business_unit_id)
        return {"links": _unit_links(body["id"], base_url), **body}

    def unit_objects(self, db, units, base_url):
        """Business-unit objects for rows of ``business_units``; star counts in one query."""
        counts = self.star_counts(db, [unit["id"] for unit in units])
        return [_business_unit_json(unit, counts.get(unit["id"], {}), base_url) for unit in units]

    @staticmethod
    def star_counts(db, unit_ids):
        """{unit id: {stars: count}} from review_counts (json_each: no bound-parameter limit)."""
        counts = {}
        for unit_id, stars, count in db.execute(
                "SELECT business_unit_id, stars, count FROM review_counts "
                "WHERE business_unit_id IN (SELECT value FROM json_each(?)) AND count > 0",
                (json.dumps(unit_ids),)):
            counts.setdefault(unit_id, {})[stars] = count
        return counts


def _no_such_unit(unit_id):
    return errors.NotFound(f"no business unit has the id {unit_id!r}")


def unit_key(unit_id):
    """The store-cache key of a unit's JSON object (but its links)."""
    return ("business unit", unit_id)


def _unit_depends_on(unit_id):
    return (("business_units", unit_id), ("review_counts", unit_id))


def _cached_unit_body(db, business_unit_id):
    unit = BusinessUnits._business_unit_row(db, business_unit_id)
    counts = dict(db.execute("SELECT stars, count FROM review_counts WHERE business_unit_id = ? AND count > 0",
                             (unit["id"],)).fetchall())
    return _unit_body(unit, counts)


def _business_unit_json(unit, counts, base_url):
    return {"links": _unit_links(unit["id"], base_url), **_unit_body(unit, counts)}


def _unit_links(unit_id, base_url):
    return [{"href": f"{base_url}/v1/business-units/{unit_id}", "method": "GET", "rel": "self"},
            {"href": f"{base_url}/v1/business-units/{unit_id}/locations", "method": "GET",
             "rel": "business-units-locations"}]


def _unit_body(unit, counts):
    total = sum(counts.values())
    trust_score = trust_score_of(counts)
    return {
        "id": unit["id"],
        "displayName": unit["display_name"],
        "name": {"identifying": unit["identifying_name"], "referring": json.loads(unit["referring_names"])},
        "websiteUrl": unit["website_url"],
        "country": unit["country"],
        "numberOfReviews": {"total": total, "usedForTrustScoreCalculation": total,
                            **{field: counts.get(n, 0) for n, field in enumerate(STAR_FIELDS, start=1)}},
        "status": unit["status"],
        "score": {"trustScore": trust_score, "stars": _half_star(trust_score)},
        # In the reference's example; what makes a unit a bad fit is undocumented: none is.
        "badFit": False,
    }


def domain_of(name):
    """Accept what a customer types: a bare domain, or a URL / 'www.' form of it."""
    name = trimmed(name).lower()
    for prefix in ("https://", "http://"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name.split("/", 1)[0]


def trust_score_of(counts):
    total = sum(counts.values())
    stars = sum(n * c for n, c in counts.items())
    return round((stars + 7 * 3.5) / (total + 7), 1)


def _half_star(score):
    return round(score * 2) / 2


def _location(row):
    return {"id": row["id"], "name": row["name"], "urlFormattedName": row["url_formatted_name"],
            "externalId": row["external_id"], "address": json.loads(row["address"])}
