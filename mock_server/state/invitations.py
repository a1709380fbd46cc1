"""The invitations area (invitations-api.trustpilot.com): email invitations, invitation links,
templates, deletion of invitation data, and the invitations a consumer reviews from.

Stored invitations keep their send time; their status is derived when read: ``scheduled``
until the virtual clock reaches the send time, then ``pending``, and ``reviewed`` once a
consumer has written a review from it (``consume_invitation``). Nothing is e-mailed.

Emulator decisions (the real API documents none of these):
* success of ``email-invitations`` is 202 with an empty body (clients accept any 2xx);
* ``consumerEmail``, ``consumerName`` and ``referenceNumber`` are required (clients send all
  three); ``locale`` defaults to the template's; ``templateId`` to the unit's default
  template of the block's type; at least one of the two blocks must be sent;
* ``locationId`` may be a location's id or its ``externalId`` (the docs' example is "ABC123");
* the sending user (``x-business-user-id``, else the token's own user) must be an Admin or
  Manager of the unit (403 otherwise); a client-credentials token without the header sends
  with no user, since the docs say the header "should" be sent;
* ``invitation-data/delete`` answers 200 ``{"deletedInvitations": N}``; emails match
  case-insensitively; ``deleteOlderThan`` compares with when the invitation was created;
* ``productSkus`` are not checked against a catalog.
"""

import hashlib
import json

from . import errors
from . import invitation_requests as rules
from .clock import iso
from .store import insert_many

SCHEMA = """
CREATE TABLE IF NOT EXISTS invitation_templates (
    business_unit_id TEXT NOT NULL, position INTEGER NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
    is_default INTEGER NOT NULL, locale TEXT NOT NULL, type TEXT NOT NULL,
    PRIMARY KEY (business_unit_id, position)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS invitations (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, business_unit_id TEXT NOT NULL,
    business_user_id TEXT, consumer_email TEXT NOT NULL, consumer_name TEXT NOT NULL,
    reference_number TEXT NOT NULL, locale TEXT NOT NULL, location_id TEXT, tags TEXT NOT NULL,
    created_at REAL NOT NULL, send_at REAL NOT NULL, reviewed_at REAL, details TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS invitations_by_unit ON invitations (business_unit_id, seq);
CREATE INDEX IF NOT EXISTS invitations_by_email ON invitations (business_unit_id, consumer_email COLLATE NOCASE);
"""
TABLES = ("invitation_templates", "invitations")

SERVICE_TYPE, PRODUCT_TYPE = "ServiceReview", "ProductReview"
COUNTRY_LOCALES = {"DK": "da-DK", "GB": "en-GB", "US": "en-US", "DE": "de-DE", "ES": "es-ES", "IT": "it-IT",
                   "SE": "sv-SE", "NL": "nl-NL", "FR": "fr-FR", "NO": "nb-NO", "FI": "fi-FI", "PL": "pl-PL"}
SENDER_ROLES = ("admin", "manager")


def install_business_unit(db, unit, context):
    """The unit's templates: listed in the scenario, or a default set seeded from the unit's ids."""
    templates = unit.get("templates")
    if templates is None:
        templates = _default_templates(unit, context.ids)
    local = COUNTRY_LOCALES.get(unit.get("country", "DK"), "en-US")
    insert_many(db, "invitation_templates", ("business_unit_id", "position", "id", "name", "is_default", "locale", "type"),
                   [(unit["id"], n, t["id"], t["name"], int(t.get("isDefaultTemplate", False)),
                     t.get("locale", local), t.get("type", SERVICE_TYPE)) for n, t in enumerate(templates)])


def install_world(db, scenario, now):
    """Nothing world-wide: templates and invitations belong to business units."""


def _default_templates(unit, ids):
    local = COUNTRY_LOCALES.get(unit.get("country", "DK"), "en-US")
    english = "en-GB" if local == "en-US" else "en-US"
    return [
        {"id": ids.object_id(), "name": "Service review invitation", "isDefaultTemplate": True,
         "locale": local, "type": SERVICE_TYPE},
        {"id": ids.object_id(), "name": f"Service review invitation ({english})", "isDefaultTemplate": False,
         "locale": english, "type": SERVICE_TYPE},
        {"id": ids.object_id(), "name": "Product review invitation", "isDefaultTemplate": True,
         "locale": local, "type": PRODUCT_TYPE},
    ]


def consume_invitation(db, invitation_id, now):
    """A consumer writes a service review from invitation ``invitation_id`` at ``now`` (epoch
    seconds), inside the caller's transaction ``db``: marks it ``reviewed`` and returns what the
    review takes from it: ``{"invitationId", "businessUnitId", "referenceNumber", "consumerEmail",
    "consumerName", "locationId", "tags", "locale", "source"}`` (for an invitation link,
    ``referenceNumber`` is its ``referenceId``; ``source`` is ``"InvitationApi"``).

    Raises errors.NotFound when no invitation has that id (never created, or deleted through
    ``invitation-data/delete``); errors.Conflict when it was already reviewed, when it is still
    scheduled (its e-mail is not sent until the clock reaches its send time) or when it asks
    for product reviews only.
    """
    row = db.execute("SELECT * FROM invitations WHERE id = ?", (invitation_id,)).fetchone()
    if row is None:
        raise errors.NotFound(f"no invitation has the id {invitation_id!r} (never created, or its data was deleted)")
    if row["reviewed_at"] is not None:
        raise errors.Conflict(f"invitation {invitation_id} was already used for a review at {iso(row['reviewed_at'])}")
    if row["send_at"] > now:
        raise errors.Conflict(f"invitation {invitation_id} is scheduled for {iso(row['send_at'])} and not sent yet "
                              f"(sandbox time is {iso(now)}); advance the clock first")
    details = json.loads(row["details"])
    if row["kind"] == "email" and details["serviceReviewInvitation"] is None:
        raise errors.Conflict(f"invitation {invitation_id} asks for product reviews only, not a service review")
    db.execute("UPDATE invitations SET reviewed_at = ? WHERE id = ?", (now, invitation_id))
    return {"invitationId": invitation_id, "businessUnitId": row["business_unit_id"],
            "referenceNumber": row["reference_number"], "consumerEmail": row["consumer_email"],
            "consumerName": row["consumer_name"], "locationId": row["location_id"],
            "tags": json.loads(row["tags"]), "locale": row["locale"], "source": "InvitationApi"}


class Invitations:
    """The Invitations API and its control-plane views."""

    def __init__(self, store, clock, ids, access, business_units):
        """``access`` and ``business_units``: the sandbox's areas."""
        self.store = store
        self.clock = clock
        self.ids = ids
        self.access = access
        self.business_units = business_units

    def create_email_invitation(self, creds, business_unit_id, body):
        # Checked and built in a read; the row is added after it (Store.add_row: no write
        # transaction for the Invitations API's most frequent call).
        with self.store.read() as db:
            unit_id, caller = self._invitations_caller(db, creds, business_unit_id)
            sender = self._sending_user(db, caller, creds, unit_id)
            request = rules.email_invitation(body)
            templates = {field: self._template(db, unit_id, request[key]["templateId"], kind, field)
                         for key, field, kind in (("service", rules.SERVICE, SERVICE_TYPE),
                                                  ("product", rules.PRODUCT, PRODUCT_TYPE)) if request[key]}
            main = request["service"] or request["product"]
            now = self.clock.now(db)
            details = {"type": "email", "senderName": request["senderName"], "senderEmail": request["senderEmail"],
                       "replyTo": request["replyTo"], "url": None, "redirectUri": main["redirectUri"],
                       rules.SERVICE: _rendered_block(request["service"], templates.get(rules.SERVICE)),
                       rules.PRODUCT: _rendered_block(request["product"], templates.get(rules.PRODUCT))}
            template_locale = next((t["locale"] for t in templates.values() if t), None)
            values = {"email": request["consumerEmail"], "name": request["consumerName"],
                      "reference": request["referenceNumber"], "locale": request["locale"] or template_locale or "en-US",
                      "location": self._location(db, unit_id, request["locationId"]), "tags": main["tags"],
                      "created": now, "sendAt": max(now, main["sendAt"] or now), "details": details}
        self._store_invitation(self.ids.fresh_object_id("invitation"), "email", unit_id, sender, values)

    def create_invitation_link(self, creds, business_unit_id, body):
        with self.store.read() as db:
            unit_id, caller = self._invitations_caller(db, creds, business_unit_id)
            request = rules.invitation_link(body)
            template = self._template(db, unit_id, None, SERVICE_TYPE, rules.SERVICE)
            now = self.clock.now(db)
            values = {"email": request["email"], "name": request["name"], "reference": request["referenceId"],
                      "locale": request["locale"] or (template or {}).get("locale") or "en-US",
                      "location": self._location(db, unit_id, request["locationId"]), "tags": request["tags"],
                      "created": now, "sendAt": now}
        # Link ids are 32 hex digits on the wire; the runtime id stream mints 24, so hash one.
        link_id = hashlib.sha256(self.ids.fresh_object_id("invitation-link").encode()).hexdigest()[:32]
        url = f"https://www.trustpilot.com/evaluate-link/{link_id}"
        values["details"] = {"type": "link", "senderName": None, "senderEmail": None, "replyTo": None, "url": url,
                             "redirectUri": request["redirectUri"], rules.SERVICE: None, rules.PRODUCT: None}
        self._store_invitation(link_id, "link", unit_id, (caller.user or {}).get("id"), values)
        return {"id": link_id, "url": url}

    def list_invitation_templates(self, creds, business_unit_id):
        with self.store.read() as db:
            unit_id, _ = self._invitations_caller(db, creds, business_unit_id)
            return {"templates": [_template_json(row) for row in self._templates(db, unit_id)]}

    def delete_invitation_data(self, creds, business_unit_id, body):
        with self.store.transaction() as db:
            unit_id, caller = self._invitations_caller(db, creds, business_unit_id)
            self._sending_user(db, caller, creds, unit_id)
            how, what = rules.invitation_data_deletion(body)
            if how == "deleteOlderThan":
                deleted = db.execute("DELETE FROM invitations WHERE business_unit_id = ? AND created_at < ?",
                                     (unit_id, what)).rowcount
            else:
                deleted = sum(db.execute("DELETE FROM invitations WHERE business_unit_id = ? "
                                         "AND consumer_email = ? COLLATE NOCASE", (unit_id, email)).rowcount
                              for email in what)
        return {"deletedInvitations": deleted}

    # -- control plane
    def list_sent_invitations(self, business_unit_id=None):
        """Every stored invitation (e-mail and link), oldest first; consumer emails are shown."""
        with self.store.read() as db:
            now = self.clock.now(db)
            if business_unit_id is None:
                rows = db.execute("SELECT * FROM invitations ORDER BY seq").fetchall()
            else:
                unit_id = self.business_units.existing_id(db, business_unit_id)
                rows = db.execute("SELECT * FROM invitations WHERE business_unit_id = ? ORDER BY seq",
                                  (unit_id,)).fetchall()
        return {"invitations": [_invitation_json(row, now) for row in rows]}

    def get_sent_invitation(self, invitation_id):
        with self.store.read() as db:
            row = db.execute("SELECT * FROM invitations WHERE id = ?", (invitation_id,)).fetchone()
            if row is None:
                raise errors.NotFound(f"no invitation has the id {invitation_id!r}; GET /_mock/invitations lists them")
            return _invitation_json(row, self.clock.now(db))

    # -- helpers
    def _invitations_caller(self, db, creds, business_unit_id):
        """(unit id, caller): 401 without a usable bearer, then 404 for an unknown unit, then 403
        when the token's user (or client-credentials application) is not the unit's."""
        caller = self.access.private_caller(db, creds)
        unit_id = self.business_units.existing_id(db, business_unit_id)
        return unit_id, self.access.unit_access(caller, unit_id)

    def _sending_user(self, db, caller, creds, unit_id):
        """The user the call is made as: x-business-user-id, else the token's own user (None for a
        client-credentials token without the header); it must be an Admin or Manager of the unit."""
        if not creds.headers.get("x-business-user-id") and caller.user is None:
            return None
        user_id = self.access.acting_user_id(db, caller, creds, unit_id)
        user = self.access.user(db, user_id)
        if user["role"] not in SENDER_ROLES:
            raise errors.Forbidden(f"business user {user['email']!r} has the role {user['role']!r}; invitations are "
                                   "sent and their data deleted by an Admin or Manager of the business unit")
        return user_id

    def _templates(self, db, unit_id):
        """The unit's templates (shared rows: read-only), read once per connection."""
        return self.store.cached(db, ("invitation templates", unit_id), (("invitation_templates", unit_id),),
                                 _read_templates, unit_id)

    def _template(self, db, unit_id, template_id, kind, field):
        """The given template of the unit, or its default one of ``kind`` (None when it has none)."""
        templates = self._templates(db, unit_id)
        if template_id is None:
            ranked = sorted(templates, key=lambda t: (t["type"] != kind, not t["is_default"], t["position"]))
            return dict(ranked[0]) if ranked else None
        for row in templates:
            if row["id"] == template_id:
                return dict(row)
        raise errors.MalformedRequest(
            f"'Template Id' in {field} is not a template of business unit {unit_id}: {template_id!r}; "
            f"GET /v1/private/business-units/{unit_id}/templates lists them.")

    @staticmethod
    def _location(db, unit_id, location):
        """A location's id from its id or its externalId (None when not given)."""
        if location is None:
            return None
        row = db.execute("SELECT id FROM locations WHERE business_unit_id = ? AND (id = ? OR external_id = ?) "
                         "ORDER BY position LIMIT 1", (unit_id, location, location)).fetchone()
        if row is None:
            raise errors.MalformedRequest(
                f"'Location Id' is not a location of business unit {unit_id}: {location!r}; use a location's id or "
                f"externalId from GET /v1/business-units/{unit_id}/locations.")
        return row[0]

    def _store_invitation(self, invitation_id, kind, unit_id, user_id, values):
        self.store.add_row(
            "invitations", id=invitation_id, kind=kind, business_unit_id=unit_id, business_user_id=user_id,
            consumer_email=values["email"], consumer_name=values["name"], reference_number=values["reference"],
            locale=values["locale"], location_id=values["location"], tags=json.dumps(values["tags"]),
            created_at=values["created"], send_at=values["sendAt"], details=json.dumps(values["details"]))


def _read_templates(db, unit_id):
    return db.execute("SELECT * FROM invitation_templates WHERE business_unit_id = ? ORDER BY position",
                      (unit_id,)).fetchall()


def _rendered_block(block, template):
    """A block as stored and shown: the template it resolved to and its send time as a date-time."""
    if block is None:
        return None
    out = {"templateId": (template or {}).get("id"),
           "preferredSendTime": iso(block["sendAt"]) if block["sendAt"] is not None else None,
           "redirectUri": block["redirectUri"], "tags": block["tags"]}
    for field in ("products", "productSkus"):
        if field in block:
            out[field] = block[field]
    return out


def _template_json(row):
    return {"id": row["id"], "name": row["name"], "isDefaultTemplate": bool(row["is_default"]),
            "locale": row["locale"], "type": row["type"]}


def _invitation_json(row, now):
    status = ("reviewed" if row["reviewed_at"] is not None else "scheduled" if row["send_at"] > now else "pending")
    details = json.loads(row["details"])
    return {"id": row["id"], "type": details["type"], "businessUnitId": row["business_unit_id"],
            "businessUserId": row["business_user_id"], "status": status,
            "consumerEmail": row["consumer_email"], "consumerName": row["consumer_name"],
            "referenceNumber": row["reference_number"], "locale": row["locale"], "locationId": row["location_id"],
            "tags": json.loads(row["tags"]), "senderName": details["senderName"],
            "senderEmail": details["senderEmail"], "replyTo": details["replyTo"], "url": details["url"],
            "redirectUri": details["redirectUri"], "serviceReviewInvitation": details[rules.SERVICE],
            "productReviewInvitation": details[rules.PRODUCT], "createdAt": iso(row["created_at"]),
            "sendTime": iso(row["send_at"]), "reviewedAt": iso(row["reviewed_at"]) if row["reviewed_at"] else None}
