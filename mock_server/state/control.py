"""Control-plane operations: reset, load a world, inspect it, move the clock, act as the customer."""

import base64
import json

from . import errors, world
from .clock import LATEST, iso

PLANS = ("free", "standard", "premium", "advanced", "enterprise")


class Control:
    """Reset, load, inspect, move the clock, act as the customer in the Business app."""

    def __init__(self, name, store, clock, settings, journal, business_units):
        """``name``: the sandbox's; ``journal``: emptied by each load; ``business_units``: looks units up."""
        self.name = name
        self.store = store
        self.clock = clock
        self.settings = settings
        self.journal = journal
        self.business_units = business_units

    def reset_sandbox(self):
        """Reload the world that was last loaded; tokens, codes, keys and the clock start over."""
        self.journal.write_waiting()  # journal.py: kept if the load fails
        with self.store.transaction() as db:
            scenario = self.store.get_meta(db, "scenario")
            world.install(db, self.store, self.clock, scenario)
            self.journal.empty(db)
        return self.get_sandbox_state()

    def load_scenario(self, scenario):
        """Replace the world with an already validated scenario (all or nothing)."""
        self.journal.write_waiting()  # journal.py: kept if the load fails
        with self.store.transaction() as db:
            world.install(db, self.store, self.clock, scenario)
            self.journal.empty(db)
        return self.get_sandbox_state()

    def get_sandbox_state(self):
        """The world as it is now; passwords and secrets are shown as '***'."""
        with self.store.read() as db:
            scenario = self.store.get_meta(db, "scenario")
            return {
                "sandbox": self.name,
                "scenario": scenario.get("name"),
                "now": iso(self.clock.now(db)),
                "settings": self.settings.current(db),
                "partners": [self._partner_state(db, row) for row in db.execute("SELECT * FROM partners")],
                "businessUnits": [self._unit_state(db, row) for row in
                                  db.execute("SELECT * FROM business_units ORDER BY identifying_name")],
                "applications": [_app_state(row) for row in
                                 db.execute("SELECT * FROM applications WHERE kind != 'partner' ORDER BY created_at")],
                "tokens": dict(db.execute("SELECT kind, count(*) FROM tokens GROUP BY kind").fetchall()),
            }

    def list_sandbox_secrets(self):
        """Every secret value of the world and issued since: what must never show in a partner's
        logs. The conformance kit scans an integration's output for these (control plane only)."""
        queries = {
            "apiSecret": "SELECT api_secret FROM applications",
            "password": "SELECT password FROM business_users",
            "accessToken": "SELECT token FROM tokens WHERE kind = 'access'",
            "refreshToken": "SELECT token FROM tokens WHERE kind != 'access'",
            "authorizationCode": "SELECT code FROM authorization_codes",
        }
        with self.store.read() as db:
            secrets = [{"kind": kind, "value": row[0]} for kind, sql in queries.items() for row in db.execute(sql)]
            # The secret as an 'Authorization: Basic ...' header carries it: a log of headers leaks it so.
            secrets += [{"kind": "basicCredentials", "value": base64.b64encode(f"{key}:{secret}".encode()).decode()}
                        for key, secret in db.execute("SELECT api_key, api_secret FROM applications")]
        return {"secrets": secrets}

    def get_clock(self):
        with self.store.read() as db:
            now = self.clock.now(db)
            return {"now": iso(now), "epochSeconds": int(now), "offsetSeconds": self.store.get_meta(db, "clock_offset", 0.0)}

    def advance_clock(self, seconds):
        if seconds < 0:
            raise errors.MalformedRequest("the clock only moves forward: 'seconds' must be >= 0")
        with self.store.transaction() as db:
            now = self.clock.now(db)
            if now + seconds >= LATEST:
                raise errors.Conflict(f"the clock cannot reach {iso(LATEST)}: it is {iso(now)} and {seconds:g} "
                                      "seconds more would pass it; reset the sandbox to start over")
            self.clock.advance(db, seconds)
        return self.get_clock()

    def update_business_unit_settings(self, business_unit_id, plan=None, partner_permissions=None):
        """What the customer does in the Business app: change plan, toggle partner permissions."""
        if plan is not None and plan not in PLANS:
            raise errors.MalformedRequest(f"'plan' must be one of {', '.join(PLANS)}, got {plan!r}")
        with self.store.transaction() as db:
            unit_id = self.business_units.existing_id(db, business_unit_id)
            if plan is not None:
                db.execute("UPDATE business_units SET plan = ? WHERE id = ?", (plan, unit_id))
            if partner_permissions is not None:
                db.execute("UPDATE business_units SET partner_permissions = ? WHERE id = ?",
                           (int(partner_permissions), unit_id))
            return self._unit_state(db, db.execute("SELECT * FROM business_units WHERE id = ?", (unit_id,)).fetchone())

    def _partner_state(self, db, row):
        app = db.execute("SELECT * FROM applications WHERE kind = 'partner' AND partner_id = ?", (row["id"],)).fetchone()
        users = db.execute("SELECT * FROM business_users WHERE partner_id = ?", (row["id"],)).fetchall()
        return {"id": row["id"], "name": row["name"], "apiKey": app["api_key"], "apiSecret": "***",
                "redirectUris": json.loads(app["redirect_uris"]), "users": [_user_state(u) for u in users]}

    def _unit_state(self, db, row):
        uid = row["id"]
        users = db.execute("SELECT * FROM business_users WHERE business_unit_id = ?", (uid,)).fetchall()
        return {"id": uid, "displayName": row["display_name"], "domain": row["identifying_name"],
                "plan": row["plan"], "partnerPermissions": bool(row["partner_permissions"]),
                "users": [_user_state(u) for u in users],
                "locations": db.execute("SELECT count(*) FROM locations WHERE business_unit_id = ?", (uid,)).fetchone()[0],
                "reviews": db.execute("SELECT count(*) FROM reviews WHERE business_unit_id = ?", (uid,)).fetchone()[0]}


def _user_state(row):
    return {"id": row["id"], "email": row["email"], "password": "***", "role": row["role"],
            "twoFactor": bool(row["two_factor"])}


def _app_state(row):
    return {"apiKey": row["api_key"], "apiSecret": "***", "kind": row["kind"], "name": row["name"],
            "partnerId": row["partner_id"], "businessUnitId": row["business_unit_id"],
            "redirectUris": json.loads(row["redirect_uris"]), "createdAt": iso(row["created_at"])}
