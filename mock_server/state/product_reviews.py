"""The product reviews area: a product catalog per business unit and reviews of its products.

Shapes follow reference §5 (Trustpilot docs, flooris/TrustPilotApi, node-trustpilot). Where the
real API is undocumented these are emulator decisions (README, "Emulator decisions"):
  * lists are newest first; beyond the last page the list is empty;
  * the public list and every summary count only ``published`` reviews; the private list takes
    ``state`` (comma-separated: published, unpublished, underModeration, archived; default published);
  * a summary of several skus (``?sku=a,b``) is one summary of all their reviews together, its
    ``sku`` the skus joined with commas; a sku without reviews (or unknown) has ``starsAverage`` 0;
  * ``starsAverage`` is the mean of the stars, one decimal; attachments, attribute ratings and
    conversations are not emulated (always ``[]`` / null); ``locale`` is accepted and ignored.
"""

import json
from dataclasses import dataclass

from . import errors
from .business_units import STAR_FIELDS
from .ids import SeededIds
from .results import Page
from .store import insert_many
from .product_catalog import (PRODUCT_COLUMNS, REVIEW_COLUMNS, STATES, listed_review_rows, product_rows,
                              review_rows)

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    business_unit_id TEXT NOT NULL, sku TEXT NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL,
    name TEXT NOT NULL, mpn TEXT, brand TEXT, gtin TEXT, image_url TEXT, product_url TEXT,
    PRIMARY KEY (business_unit_id, sku)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS products_by_url ON products (business_unit_id, product_url);
CREATE TABLE IF NOT EXISTS product_reviews (
    id TEXT NOT NULL, business_unit_id TEXT NOT NULL, sku TEXT NOT NULL, pos INTEGER NOT NULL,
    stars INTEGER NOT NULL, content TEXT NOT NULL, language TEXT NOT NULL, locale TEXT NOT NULL,
    created_at TEXT NOT NULL, consumer_id TEXT NOT NULL, consumer_name TEXT NOT NULL,
    consumer_email TEXT NOT NULL, state TEXT NOT NULL, reference_id TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS product_reviews_by_id ON product_reviews (id);
CREATE INDEX IF NOT EXISTS product_reviews_by_pos ON product_reviews (business_unit_id, pos);
CREATE INDEX IF NOT EXISTS product_reviews_by_sku ON product_reviews (business_unit_id, sku, state, pos);
"""
TABLES = ("products", "product_reviews")
BATCH = 20000
PUBLISHED = ("published",)


@dataclass(frozen=True)
class ProductReviewQuery:
    """A page of product reviews and its filters (None = no filter), as the HTTP layer parsed them."""

    page: int = 1
    per_page: int = 20
    skus: tuple | None = None
    product_url: str | None = None
    languages: tuple | None = None
    stars: tuple | None = None
    states: tuple = PUBLISHED
    locale: str | None = None

    def filters(self, private):
        """The query's filters as query parameters (pairs), normalised: what page links keep."""
        params = {"sku": ",".join(self.skus) if self.skus else None, "productUrl": self.product_url,
                  "language": ",".join(self.languages) if self.languages else None,
                  "stars": ",".join(map(str, self.stars)) if self.stars else None,
                  "state": ",".join(self.states) if private else None, "locale": self.locale}
        return [(k, v) for k, v in params.items() if v is not None]


def install_business_unit(db, unit, context):
    products = product_rows(_ids(unit.get("products"), context), unit.get("products"), unit)
    insert_many(db, "products", PRODUCT_COLUMNS, products)
    spec = unit.get("productReviews")
    if isinstance(spec, dict):
        rows = review_rows(_ids(spec, context), spec["generate"], unit["id"], [(p[1], p[4]) for p in products],
                           context.anchor)
    else:
        rows = listed_review_rows(context.ids, spec or [], unit["id"], context.anchor)
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            insert_many(db, "product_reviews", REVIEW_COLUMNS, batch)
            batch = []
    insert_many(db, "product_reviews", REVIEW_COLUMNS, batch)


def install_world(db, scenario, now):
    """Nothing world-wide: catalogs and reviews belong to business units."""


def _ids(spec, context):
    return SeededIds(spec["seed"]) if isinstance(spec, dict) and spec.get("seed") is not None else context.ids


class ProductReviews:
    """Product reviews and their summaries; methods named after the operationIds."""

    def __init__(self, store, access, business_units):
        """``access`` and ``business_units``: the sandbox's areas."""
        self.store = store
        self.access = access
        self.business_units = business_units

    def list_product_reviews(self, creds, business_unit_id, query):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            skus = self._skus_with_url(db, unit_id, query.skus, query.product_url)
            rows = self._product_review_page(db, unit_id, query, skus, PUBLISHED)
        return Page([_public(row) for row in rows[:query.per_page]], len(rows) > query.per_page)

    def get_product_reviews_summary(self, creds, business_unit_id, skus):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            counts = dict(db.execute(
                "SELECT stars, count(*) FROM product_reviews WHERE business_unit_id = ? AND state = 'published' "
                "AND sku IN (SELECT value FROM json_each(?)) GROUP BY stars", (unit_id, json.dumps(skus))).fetchall())
        return _summary(",".join(skus), counts)

    def get_product_reviews_batch_summaries(self, creds, business_unit_id, skus):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            counts = {}
            for sku, stars, count in db.execute(
                    "SELECT sku, stars, count(*) FROM product_reviews WHERE business_unit_id = ? AND "
                    "state = 'published' AND sku IN (SELECT value FROM json_each(?)) GROUP BY sku, stars",
                    (unit_id, json.dumps(skus))):
                counts.setdefault(sku, {})[stars] = count
        return {"summaries": [_summary(sku, counts.get(sku, {})) for sku in skus]}

    def list_private_product_reviews(self, creds, business_unit_id, query):
        with self.store.read() as db:
            caller = self.access.private_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            self.access.unit_access(caller, unit_id)
            rows = self._product_review_page(db, unit_id, query, query.skus, query.states)
        return Page([_private(row) for row in rows[:query.per_page]], len(rows) > query.per_page)

    def get_private_product_review(self, creds, review_id):
        with self.store.read() as db:
            caller = self.access.private_caller(db, creds)
            row = db.execute(f"{_SELECT} WHERE r.id = ?", (review_id,)).fetchone()
            if row is None:
                raise errors.NotFound(f"no product review has the id {review_id!r}")
            self.access.unit_access(caller, row["business_unit_id"])
        return _private(row)

    def _skus_with_url(self, db, unit_id, skus, product_url):
        """The requested skus plus those of the catalog's product at ``product_url``, in order."""
        found = list(skus or ())
        if product_url is not None:
            found += [row[0] for row in db.execute(
                "SELECT sku FROM products WHERE business_unit_id = ? AND product_url = ? ORDER BY pos",
                (unit_id, product_url))]
        return tuple(dict.fromkeys(found))

    def _product_review_page(self, db, unit_id, query, skus, states):
        """One page of rows, newest first, plus one more row when there is a next page."""
        where, args = ["r.business_unit_id = ?"], [unit_id]
        for column, values in (("sku", skus), ("state", states), ("language", _languages(query.languages)),
                               ("stars", query.stars)):
            if values is not None:
                where.append(f"r.{column} IN (SELECT value FROM json_each(?))")
                args.append(json.dumps(list(values)))
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY r.pos DESC LIMIT ? OFFSET ?"
        return db.execute(sql, (*args, query.per_page + 1, (query.page - 1) * query.per_page)).fetchall()


_SELECT = ("SELECT r.*, p.name AS product_name FROM product_reviews r LEFT JOIN products p "
           "ON p.business_unit_id = r.business_unit_id AND p.sku = r.sku")


def _languages(languages):
    """``all`` (widgets send it) means every language."""
    return None if languages is None or "all" in languages else languages


def _summary(sku, counts):
    total = sum(counts.values())
    average = round(sum(stars * n for stars, n in counts.items()) / total, 1) if total else 0
    return {"sku": sku, "starsAverage": average,
            "numberOfReviews": {"total": total, **{field: counts.get(n, 0)
                                                   for n, field in enumerate(STAR_FIELDS, start=1)}}}


def _public(row):
    return {"id": row["id"], "createdAt": row["created_at"], "stars": row["stars"], "content": row["content"],
            "consumer": {"id": row["consumer_id"], "displayName": row["consumer_name"]},
            "language": row["language"], "attachments": [], "attributeRatings": []}


def _private(row):
    return {"id": row["id"], "createdAt": row["created_at"], "stars": row["stars"], "content": row["content"],
            "product": {"sku": row["sku"], "name": row["product_name"]},
            "consumer": {"id": row["consumer_id"], "email": row["consumer_email"], "name": row["consumer_name"]},
            "language": row["language"], "locale": row["locale"], "state": row["state"],
            "referenceId": row["reference_id"], "conversationId": None, "attachments": [], "attributeRatings": []}


__all__ = ["SCHEMA", "STATES", "TABLES", "ProductReviewQuery", "install_business_unit", "install_world"]
