"""Partner endpoints: eligibility check and customer key creation (program page steps 4 and 5).

The check returns an Eligibility, key creation a CustomerKey or (not eligible) an Eligibility;
web/responses.py gives them the program page's statuses (check: 201 eligible / 200 not; key
creation: 201 created / 200 not eligible) and bodies. Errors: 403, and 404 for an unknown
partner id on key creation. Emulator decisions (the real bodies are undocumented): a token
that is missing gets 401, one that is present but unusable (unknown, expired, another
partner's, not a partner token) gets 403 on these routes; an unknown partner id on the check
route is a 403 (the page lists no 404 there).
"""

from . import errors
from .clock import iso
from .results import CustomerKey, Eligibility
from .store import insert


class Partners:
    """The partner endpoints (program page steps 4 and 5)."""

    def __init__(self, store, clock, ids, access, business_units):
        """The sandbox's store, clock and ids; ``access`` and ``business_units``: its areas."""
        self.store = store
        self.clock = clock
        self.ids = ids
        self.access = access
        self.business_units = business_units

    def check_partner_eligibility(self, creds, partner_id, business_unit_id):
        with self.store.read() as db:
            self._partner_caller(db, creds, partner_id, unknown_partner=errors.PartnerForbidden)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            return Eligibility(partner_id, unit_id, self._ineligibility(db, unit_id))

    def create_partner_customer_key(self, creds, partner_id, business_unit_id):
        with self.store.transaction() as db:
            caller = self._partner_caller(db, creds, partner_id, unknown_partner=errors.PartnerNotFound)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            reasons = self._ineligibility(db, unit_id)
            if reasons:
                return Eligibility(partner_id, unit_id, reasons)
            now = self.clock.now(db)
            key = self.ids.token(db, "customer-key", 32)
            secret = self.ids.token(db, "customer-secret", 16)
            insert(db, "applications", api_key=key, api_secret=secret, kind="customer",
                   name=f"{caller.app['name']} for {unit_id}", partner_id=partner_id, business_unit_id=unit_id,
                   redirect_uris=caller.app["redirect_uris"], created_at=now)
        return CustomerKey(partner_id, unit_id, key, secret, iso(now))

    def _partner_caller(self, db, creds, partner_id, unknown_partner):
        if not creds.bearer:
            raise errors.MissingCredentials(
                "partner endpoints need the partner access token: 'Authorization: Bearer <token>'")
        try:
            caller = self.access.caller_from_token(db, creds.bearer)
        except errors.Fault as exc:
            raise errors.PartnerForbidden(f"the partner access token is not usable: {exc.details}") from None
        if db.execute("SELECT 1 FROM partners WHERE id = ?", (partner_id,)).fetchone() is None:
            raise unknown_partner(f"{partner_id!r} is not a partner id")
        if caller.app["kind"] != "partner":
            raise errors.PartnerForbidden(
                f"the access token belongs to {caller.app['name']!r}, not to a partner application; "
                "use the token from your partner API key")
        if caller.app["partner_id"] != partner_id:
            raise errors.PartnerForbidden(
                f"the access token belongs to partner {caller.app['partner_id']!r}, not {partner_id!r}")
        return caller

    def _ineligibility(self, db, unit_id):
        unit = db.execute("SELECT plan, partner_permissions FROM business_units WHERE id = ?", (unit_id,)).fetchone()
        reasons = []
        if unit["plan"] == "free":
            reasons.append("the business unit is on the free plan; partner integrations need a paid plan")
        if not unit["partner_permissions"]:
            reasons.append("partner permissions are off; an admin must enable them in the Business app "
                           "(Account > Permissions)")
        return reasons
