"""Consumers as the public Consumer API shows them: a profile, its review count, its reviews.

Every review's consumer exists. A consumer is either declared in the scenario (``consumers``:
name, city, country, locale, ...; listed reviews name it by ``consumerId``) or known only from
its reviews (generated reviews, listed reviews without ``consumerId``, reviews written through
the control plane): then its name and country are those of its first review and its city,
locale, gender and about are null. ``numberOfReviews`` is counted from the world on every read:
every review the consumer wrote, reported ones too (a listing hides those, the consumer still
wrote them).

Emulator decisions (reference: developers.trustpilot.com consumer-profile-api): ``/profile``
answers the documented profile fields and also ``numberOfReviews`` (the published Singer tap's
schema for this endpoint reads it); ``/consumers/{id}`` adds ``links``. Nobody has a profile
image (``hasImage`` false, image urls null, as in the docs' example); ``birthYear`` is 0 (the
docs call it obsolete); ``createdAt`` is the declared one, else the consumer's first review's.
"""

from . import errors
from .clock import iso, parse_iso
from .results import Page
from .store import insert
from .reviews.query import page_of_reviews
from .reviews.render import render_page

SCHEMA = """
CREATE TABLE IF NOT EXISTS consumers (
    id TEXT PRIMARY KEY, display_name TEXT NOT NULL, city TEXT, country TEXT, locale TEXT,
    gender TEXT, about TEXT, created_at TEXT);
"""
TABLES = ("consumers",)
IMAGE_SIZES = ("image24x24", "image35x35", "image64x64", "image73x73")
COLUMNS = ("id", "display_name", "city", "country", "locale", "gender", "about", "created_at")
FIELDS = ("id", "displayName", "city", "country", "locale", "gender", "about", "createdAt")


def install_business_unit(db, unit, context):
    """Nothing per unit: consumers are world-wide."""


def install_world(db, scenario, now):
    """The declared consumers; the copies of name and country their reviews keep (the private
    list's ``username`` filter and review events read them) follow the declaration."""
    for consumer in scenario.get("consumers", []):
        values = {**consumer, "createdAt": iso(parse_iso(str(consumer["createdAt"]))) if "createdAt" in consumer
                  else None}
        insert(db, "consumers", **{column: values.get(field) for column, field in zip(COLUMNS, FIELDS)})
        db.execute("UPDATE reviews SET consumer_name = ?, consumer_country = ? WHERE consumer_id = ?",
                   (consumer["displayName"], consumer.get("country"), consumer["id"]))


class ConsumerProfiles:
    """The Consumer API: a consumer, its profile, its reviews (API key)."""

    def __init__(self, store, access, business_units):
        """``access`` and ``business_units``: the sandbox's areas."""
        self.store = store
        self.access = access
        self.business_units = business_units

    def get_consumer(self, creds, consumer_id, base):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            profile = self._profile(db, consumer_id)
        return {**profile, "links": _links(consumer_id, base)}

    def get_consumer_profile(self, creds, consumer_id, base):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            return self._profile(db, consumer_id)

    def list_consumer_reviews(self, creds, where, order, page, per_page, base):
        """A page of the consumer's reviews, of every business unit (or of ``where.unit_id``)."""
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            _existing(db, where.consumer_id)
            if where.unit_id is not None:
                self.business_units.existing_id(db, where.unit_id)
            rows, more = page_of_reviews(db, where, order, page, per_page)
            return Page(render_page(db, rows, base), more)

    @staticmethod
    def _profile(db, consumer_id):
        count = db.execute("SELECT count(*) FROM reviews WHERE consumer_id = ?", (consumer_id,)).fetchone()[0]
        declared = db.execute("SELECT * FROM consumers WHERE id = ?", (consumer_id,)).fetchone()
        if declared is not None:
            profile = {field: declared[column] for field, column in zip(FIELDS, COLUMNS)}
            if profile["createdAt"] is None and count:
                profile["createdAt"] = _first_review(db, consumer_id)["created_at"]
        elif count:
            first = _first_review(db, consumer_id)
            profile = {"id": consumer_id, "displayName": first["consumer_name"], "city": None,
                       "country": first["consumer_country"], "locale": None, "gender": None, "about": None,
                       "createdAt": first["created_at"]}
        else:
            raise errors.NotFound(f"no consumer has the id {consumer_id!r}")
        return {**profile, "hasImage": False, "birthYear": 0,
                "profileImage": {size: {"url": None, "width": 0, "height": 0} for size in IMAGE_SIZES},
                "numberOfReviews": count}


def _existing(db, consumer_id):
    """NotFound unless the consumer is declared or wrote a review."""
    if (db.execute("SELECT 1 FROM consumers WHERE id = ?", (consumer_id,)).fetchone() is None
            and db.execute("SELECT 1 FROM reviews WHERE consumer_id = ? LIMIT 1", (consumer_id,)).fetchone() is None):
        raise errors.NotFound(f"no consumer has the id {consumer_id!r}")


def _first_review(db, consumer_id):
    return db.execute("SELECT consumer_name, consumer_country, created_at FROM reviews WHERE consumer_id = ? "
                      "ORDER BY created_at, id LIMIT 1", (consumer_id,)).fetchone()


def _links(consumer_id, base):
    root = f"{base}/v1/consumers/{consumer_id}"
    return [{"href": root, "method": "GET", "rel": "self"},
            {"href": f"{root}/profile", "method": "GET", "rel": "consumers-profile"},
            {"href": f"{root}/reviews", "method": "GET", "rel": "consumers-reviews"}]
