"""Consumer activity, driven through the control plane: a consumer writes a review (optionally
from an invitation), edits it, or someone reports it. Each change is published as a review
event (state/webhooks.py delivers them to the world's webhook subscriptions)."""

import json

from .. import errors
from ..clock import iso, parse_iso
from ..store import insert
from .install import COLUMNS
from .render import render_page

EDITABLE = ("stars", "title", "text")
REPORT_REASONS = ("consumerIsCompetitor", "sensitiveInformation", "offensiveLanguage", "notAboutBusiness",
                  "advertisingOrPromotional", "fakeReview", "other")


class ConsumerReviews:
    """What consumers do (through the control plane): write, edit and report reviews."""

    def __init__(self, store, clock, ids, business_units, reviews, webhooks):
        """``reviews`` finds reviews; ``webhooks`` publishes each change; the rest are the sandbox's."""
        self.store = store
        self.clock = clock
        self.ids = ids
        self.business_units = business_units
        self.reviews = reviews
        self.webhooks = webhooks

    def write_consumer_review(self, unit_id, review, base=""):
        """A consumer posts a review now (or at ``createdAt``); returns the new review (private shape)."""
        with self.store.transaction() as db:
            unit_id = self.business_units.existing_id(db, unit_id)
            now = self.clock.now(db)
            created = parse_iso(review["createdAt"]) if review.get("createdAt") else now
            if created > now:
                raise errors.MalformedRequest(f"'createdAt' {review['createdAt']!r} is in the future "
                                              f"(sandbox time is {iso(now)})")
            invited = self._consume(db, unit_id, review.get("invitationId"), now)
            location_id = review.get("locationId") or invited.get("locationId")
            if location_id and db.execute("SELECT 1 FROM locations WHERE business_unit_id = ? AND id = ?",
                                          (unit_id, location_id)).fetchone() is None:
                raise errors.MalformedRequest(f"'locationId' {location_id!r} is not a location of business unit {unit_id}")
            review_id = self.ids.object_id(db, "review")
            values = dict.fromkeys(COLUMNS)
            values.update(
                id=review_id, business_unit_id=unit_id, pos=self._position_for(db, unit_id, iso(created)),
                stars=review["stars"], title=review.get("title", ""), text=review.get("text", ""),
                language=review.get("language", "en"), created_at=iso(created), experienced_at=iso(created),
                consumer_id=self.ids.object_id(db, "consumer"),
                consumer_name=review.get("consumerName") or invited.get("consumerName") or "Anonymous",
                consumer_country=review.get("consumerCountry"), consumer_reviews=1, location_id=location_id,
                verified=int(bool(invited)), likes=0, source="InvitationApi" if invited else "Organic",
                reference_id=invited.get("referenceNumber"), referral_email=invited.get("consumerEmail"),
                invitation_id=review.get("invitationId"))
            insert(db, "reviews", **{column: values[column] for column in COLUMNS})
            db.executemany("INSERT OR IGNORE INTO review_tags VALUES (?, 'generic', ?)",
                           [(review_id, tag) for tag in invited.get("tags") or []])
            _count(db, unit_id, review["stars"], +1)
            self.webhooks.publish_review_event(db, "service-review-created", review_id, base)
            return self._private_body(db, review_id, base)

    def edit_consumer_review(self, review_id, changes, base=""):
        """The consumer edits stars, title and/or text; ``updatedAt`` moves to now."""
        unknown = set(changes) - set(EDITABLE)
        if unknown or not changes:
            raise errors.MalformedRequest(f"a consumer can edit {', '.join(EDITABLE)}; got {sorted(changes) or 'nothing'}")
        with self.store.transaction() as db:
            row = self.reviews.review_row(db, review_id)
            # A generated review's text follows its stars (render.py); keep what the consumer saw.
            shown = render_page(db, [row], "")[0]
            changes = {"title": row["title"], "text": shown["text"], **changes}
            if shown["companyReply"]:
                changes["reply_text"] = shown["companyReply"]["text"]
            sets = ", ".join(f"{field} = ?" for field in changes)
            db.execute(f"UPDATE reviews SET {sets}, updated_at = ? WHERE id = ?",
                       (*changes.values(), iso(self.clock.now(db)), review_id))
            if "stars" in changes and changes["stars"] != row["stars"]:
                _count(db, row["business_unit_id"], row["stars"], -1)
                _count(db, row["business_unit_id"], changes["stars"], +1)
            self.webhooks.publish_review_event(db, "service-review-updated", review_id, base)
            return self._private_body(db, review_id, base)

    def report_review(self, review_id, reason, public_comment=None, base=""):
        """The review is reported: it carries ``reportData`` and leaves default public listings."""
        if reason not in REPORT_REASONS:
            raise errors.MalformedRequest(f"'reason' must be one of {', '.join(REPORT_REASONS)}, got {reason!r}")
        with self.store.transaction() as db:
            self.reviews.review_row(db, review_id)
            report = {"source": "BusinessUser", "publicComment": public_comment, "createdAt": iso(self.clock.now(db)),
                      "reasons": [reason], "reason": _snake(reason), "reviewVisibility": "hidden"}
            db.execute("UPDATE reviews SET report = ? WHERE id = ?", (json.dumps(report), review_id))
            self.webhooks.publish_review_event(db, "service-review-updated", review_id, base)
            return self._private_body(db, review_id, base)

    def _consume(self, db, unit_id, invitation_id, now):
        if not invitation_id:
            return {}
        from .. import invitations  # the invitations area owns invitations; optional dependency

        invited = invitations.consume_invitation(db, invitation_id, now)
        if invited["businessUnitId"] != unit_id:
            raise errors.Conflict(f"invitation {invitation_id!r} was sent by business unit "
                                  f"{invited['businessUnitId']}, not {unit_id}")
        return invited

    def _position_for(self, db, unit_id, created_at):
        """The dense position of a review created at ``created_at``; later reviews move up one."""
        newer = db.execute("SELECT min(pos) FROM reviews WHERE business_unit_id = ? AND created_at > ?",
                           (unit_id, created_at)).fetchone()[0]
        if newer is None:
            top = db.execute("SELECT max(pos) FROM reviews WHERE business_unit_id = ?", (unit_id,)).fetchone()[0]
            return (top or 0) + 1
        # Two steps through negative numbers, because the (unit, pos) index is unique row by row.
        db.execute("UPDATE reviews SET pos = -(pos + 1) WHERE business_unit_id = ? AND pos >= ?", (unit_id, newer))
        db.execute("UPDATE reviews SET pos = -pos WHERE business_unit_id = ? AND pos < 0", (unit_id,))
        return newer

    def _private_body(self, db, review_id, base):
        return render_page(db, [self.reviews.review_row(db, review_id)], base, private=True)[0]


def _count(db, unit_id, stars, delta):
    db.execute("INSERT INTO review_counts (business_unit_id, stars, count) VALUES (?, ?, ?) "
               "ON CONFLICT (business_unit_id, stars) "
               "DO UPDATE SET count = count + excluded.count", (unit_id, stars, delta))


def _snake(name):
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name)
