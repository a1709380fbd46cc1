"""Review operations (named after the operationIds): public and private reads, reply, tags.

Emulator decisions (undocumented on the real API): a reply answers 201 with an empty body and
its removal 204; the reply's author defaults to the token's own business user; tag writes
answer 200 with the review's tags; ``all-reviews`` pages by an opaque ``pageToken`` and shows
every review, newest first.
"""

import base64

from .. import errors
from ..clock import iso
from ..results import Page
from ..text import blank
from ..showcase import SITE_HOSTS
from .query import ReviewFilter, page_of_reviews, reviews_before
from .render import render_likes, render_page

MAX_REPLY_LENGTH = 4000
MAX_TAGS = 100
FIRST_PAGE = 2 ** 62  # a position above every review's; a token never names a larger one


class Reviews:
    """Service reviews: public and private reads, the company reply, tags."""

    def __init__(self, store, clock, access, business_units):
        """``access`` and ``business_units``: the sandbox's areas."""
        self.store = store
        self.clock = clock
        self.access = access
        self.business_units = business_units

    def list_business_unit_reviews(self, creds, where, order, page, per_page, base):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            self.business_units.existing_id(db, where.unit_id)
            # An integration polls the same pages: the rendered page is kept until a write.
            return self.store.cached_until_write(db, ("public-reviews", where, order, page, per_page, base),
                                                 _public_page, where, order, page, per_page, base)

    def list_private_business_unit_reviews(self, creds, where, order, page, per_page, base):
        with self.store.read() as db:
            caller = self.access.private_caller(db, creds)
            self.business_units.existing_id(db, where.unit_id)
            self.access.unit_access(caller, where.unit_id)
            rows, more = page_of_reviews(db, where, order, page, per_page)
            return Page(render_page(db, rows, base, private=True), more)

    def list_all_business_unit_reviews(self, creds, unit_id, page_token, per_page, base):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            self.business_units.existing_id(db, unit_id)
            before = _decode_token(page_token) if page_token else FIRST_PAGE
            rows = reviews_before(db, unit_id, before, per_page + 1)
            more = len(rows) > per_page
            rows = rows[:per_page]
            token = _encode_token(rows[-1]["pos"]) if more else None
            return Page(render_page(db, rows, base), more, token)

    def get_review(self, creds, review_id, base):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            return render_page(db, [self.review_row(db, review_id)], base)[0]

    def get_review_likes(self, creds, review_id, base):
        """``{"likes": [...]}``, as many as the review's ``numberOfLikes``. Emulator decision (the
        shape is undocumented): each like is ``{consumer, createdAt}``; the likers are other
        reviewers of the same unit (the nearest in creation order), so every liker is a consumer
        the Consumer API knows; a like is ``n`` hours after the review."""
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            row = self.review_row(db, review_id)
            likers = _likers(db, row)
            return {"likes": render_likes(db, row, likers, base)}

    def get_review_web_links(self, creds, review_id, locale, base):
        """The review on the locale's consumer site (as the business unit's web links)."""
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            self.review_row(db, review_id)
        region = locale.split("-")[1]
        site = f"https://{SITE_HOSTS.get(region, region.lower())}.trustpilot.com"
        return {"links": [{"href": f"{base}/v1/reviews/{review_id}/web-links?locale={locale}", "method": "GET",
                           "rel": "self"}],
                "locale": locale, "reviewUrl": f"{site}/reviews/{review_id}"}

    def list_latest_reviews(self, creds, languages, count, users_with_images_only, base):
        """The newest ``count`` visible reviews of every unit in ``languages`` (all when empty).
        Nobody in the sandbox has a profile image, so ``filterUsersWithoutImages`` leaves none."""
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            if users_with_images_only:
                return {"reviews": []}
            where = ReviewFilter(None, languages=tuple(languages), reported=False)
            rows, _ = page_of_reviews(db, where, "createdat.desc", 1, count)
            return {"reviews": render_page(db, rows, base)}

    def get_private_review(self, creds, review_id, base):
        with self.store.read() as db:
            row, _ = self._private_review(db, creds, review_id)
            return render_page(db, [row], base, private=True)[0]

    def review_row(self, db, review_id):
        row = db.execute("SELECT * FROM reviews WHERE id = ?", (review_id,)).fetchone()
        if row is None:
            raise errors.NotFound(f"no review has the id {review_id!r}")
        return row

    def _private_review(self, db, creds, review_id):
        """(review, caller) for a caller with access to its business unit (401, then 404, then 403)."""
        caller = self.access.private_caller(db, creds)
        row = self.review_row(db, review_id)
        return row, self.access.unit_access(caller, row["business_unit_id"])

    def create_review_reply(self, creds, review_id, message, author_id=None):
        if not isinstance(message, str) or blank(message):
            raise errors.MalformedRequest("'message' is required: the reply's text, a non-empty string")
        if len(message) > MAX_REPLY_LENGTH:
            raise errors.MalformedRequest(f"'message' is too long: at most {MAX_REPLY_LENGTH} characters")
        with self.store.transaction() as db:
            row, caller = self._private_review(db, creds, review_id)
            author = self.access.acting_user_id(db, caller, creds, row["business_unit_id"], given=author_id,
                                         field="authorBusinessUserId")
            now = iso(self.clock.now(db))
            created = row["reply_created_at"] or now
            db.execute("UPDATE reviews SET reply_text = ?, reply_author = ?, reply_created_at = ?, "
                       "reply_updated_at = ? WHERE id = ?", (message, author, created, now, review_id))

    def delete_review_reply(self, creds, review_id):
        with self.store.transaction() as db:
            row, _ = self._private_review(db, creds, review_id)
            if row["reply_created_at"] is None:
                raise errors.NotFound(f"review {review_id!r} has no reply to delete")
            db.execute("UPDATE reviews SET reply_text = NULL, reply_author = NULL, reply_created_at = NULL, "
                       "reply_updated_at = NULL WHERE id = ?", (review_id,))

    def get_review_tags(self, creds, review_id):
        with self.store.read() as db:
            self._private_review(db, creds, review_id)
            return {"tags": _tags_of(db, review_id)}

    def add_review_tags(self, creds, review_id, tags):
        return self._write_tags(creds, review_id, tags, replace=False)

    def set_review_tags(self, creds, review_id, tags):
        return self._write_tags(creds, review_id, tags, replace=True)

    def delete_review_tags(self, creds, review_id, group, value):
        with self.store.transaction() as db:
            self._private_review(db, creds, review_id)
            gone = db.execute("DELETE FROM review_tags WHERE review_id = ? AND grp = ? AND value = ?",
                              (review_id, group, value)).rowcount
            if not gone:
                raise errors.NotFound(f"review {review_id!r} has no tag {group}:{value}")

    def _write_tags(self, creds, review_id, tags, replace):
        if len(tags) > MAX_TAGS:
            raise errors.MalformedRequest(f"at most {MAX_TAGS} tags per request")
        with self.store.transaction() as db:
            self._private_review(db, creds, review_id)
            if replace:
                db.execute("DELETE FROM review_tags WHERE review_id = ?", (review_id,))
            db.executemany("INSERT OR IGNORE INTO review_tags VALUES (?, ?, ?)",
                           [(review_id, tag["group"], tag["value"]) for tag in tags])
            return {"tags": _tags_of(db, review_id)}


def _likers(db, row):
    """(consumer id, name, country) of up to ``likes`` other reviewers of the unit, nearest in
    position first (a unit with fewer other reviewers gives fewer likes)."""
    wanted, found = row["likes"], {}
    for sql in ("SELECT consumer_id, consumer_name, consumer_country FROM reviews WHERE business_unit_id = ? "
                "AND pos < ? AND consumer_id != ? ORDER BY pos DESC LIMIT ?",
                "SELECT consumer_id, consumer_name, consumer_country FROM reviews WHERE business_unit_id = ? "
                "AND pos > ? AND consumer_id != ? ORDER BY pos ASC LIMIT ?"):
        for consumer_id, name, country in db.execute(sql, (row["business_unit_id"], row["pos"], row["consumer_id"],
                                                           4 * wanted)):
            if len(found) < wanted:
                found.setdefault(consumer_id, (consumer_id, name, country))
    return list(found.values())


def _tags_of(db, review_id):
    return [{"group": row["grp"], "value": row["value"]} for row in
            db.execute("SELECT grp, value FROM review_tags WHERE review_id = ? ORDER BY grp, value", (review_id,))]


def _encode_token(pos):
    return base64.urlsafe_b64encode(f"pos:{pos}".encode()).decode().rstrip("=")


def _public_page(db, where, order, page, per_page, base):
    rows, more = page_of_reviews(db, where, order, page, per_page)
    return Page(render_page(db, rows, base), more)


def _decode_token(token):
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = text.partition(":")
        # ASCII digits only, and no larger than a first page's start: a forged 'pos:99...9'
        # would overflow SQLite's 64-bit integers.
        if kind == "pos" and value.isascii() and value.isdigit() and int(value) <= FIRST_PAGE:
            return int(value)
    except (ValueError, UnicodeDecodeError):
        pass
    raise errors.MalformedRequest(f"pageToken {token!r} is not a token this API gave out; "
                                  "start without pageToken and pass on each nextPageToken")
