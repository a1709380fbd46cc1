"""Install a validated scenario into a sandbox's store, replacing the world that was there."""

import json
import os
from dataclasses import dataclass

from . import generators
from .clock import parse_iso
from .ids import SeededIds
from .areas import AREAS
from .store import insert, insert_many, world_tables

DEFAULT_SETTINGS = {
    # The real header name is undocumented (reference §6); this is the emulator's choice.
    "partnerIdHeader": "x-partner-id",
    # False: a call without the header is answered and only the journal shows it missing (the
    # conformance kit judges the header in its own world, so other checks do not fail with it).
    "partnerIdHeaderRequired": True,
    "accessTokenLifetimeSeconds": 360000,       # 100 hours, as on the real API
    "refreshTokenLifetimeSeconds": 7776000,     # 90 days, from a recorded 2025 response
    "authorizationCodeLifetimeSeconds": 300,
    "journalLimit": 10000,
    "webhookMaxAttempts": 5,                    # attempts per webhook delivery (state/webhooks.py)
    # Requests checked against openapi/trustpilot.yaml (api/request_validation.py); lenient keeps
    # the emulator's own answers first. The environment variable sets the default for a whole run.
    "requestValidation": os.environ.get("TRUSTPILOT_MOCK_REQUEST_VALIDATION", "lenient"),
    # Tokens, codes and keys minted at run time are unguessable (state/ids.py); true makes them
    # sha256(seed, counter) for snapshot tests: INSECURE, anyone knowing the seed can compute them.
    "insecureDeterministicSecrets": False,
    # Emulator decision (consent is the customer's): a customer key a partner created reaches the
    # customer's data only with a token the customer granted; true lets client_credentials through.
    "clientCredentialsForCustomerKeys": False,
    # Token-endpoint throttling (reference §1.5: "too often -> 429"; no figure is published): at
    # most this many token requests per application per minute of the clock; 0 turns it off.
    "tokenRequestsPerMinute": 60,
}
REQUEST_VALIDATION_MODES = ("strict", "lenient", "off")
if DEFAULT_SETTINGS["requestValidation"] not in REQUEST_VALIDATION_MODES:
    raise ValueError(f"TRUSTPILOT_MOCK_REQUEST_VALIDATION must be one of {', '.join(REQUEST_VALIDATION_MODES)}, "
                     f"not {DEFAULT_SETTINGS['requestValidation']!r}")
# Generated review dates end here when the scenario does not start the clock, so that a
# world loads identically whatever day it is.
DEFAULT_ANCHOR = parse_iso("2026-11-01T00:00:00Z")


@dataclass(frozen=True)
class UnitContext:
    """What an area's installer gets besides the business unit's scenario entry."""

    ids: SeededIds        # the unit's seeded id stream (same seed, same world)
    anchor: float         # generated dates end here (epoch seconds)
    now: float            # the virtual clock when the world is loaded
    location_ids: list    # the unit's location ids, in order
    progress: object = None  # called with the number of reviews written, batch by batch (or None)


def settings_of(scenario):
    return {**DEFAULT_SETTINGS, **scenario.get("settings", {})}


def install(db, store, clock, scenario, progress=None):
    """Clear the world tables and write ``scenario`` into them (inside the caller's transaction);
    ``progress(n)`` hears of each batch of n reviews written (loading a big world takes seconds)."""
    store.forget_all(db)  # whatever was cached from the old world
    for table in world_tables():
        db.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants
    seed = scenario.get("seed", 0)
    start = scenario.get("clock", {}).get("start")
    store.set_meta(db, "scenario", scenario)
    store.set_meta(db, "settings", settings_of(scenario))
    store.set_meta(db, "seed", seed)
    store.set_meta(db, "id_counter", 0)
    store.set_meta(db, "clock_offset", 0.0)
    if start is not None:
        clock.start_at(db, parse_iso(str(start)))
    anchor = parse_iso(str(start)) if start is not None else DEFAULT_ANCHOR
    now = clock.now(db)
    for partner in scenario.get("partners", []):
        _install_partner(db, partner, now)
    for unit in generators.world_business_units(scenario):
        _install_business_unit(db, unit, SeededIds(f"{seed}:{unit['id']}"), anchor, now, progress)
    for area in AREAS:
        area.install_world(db, scenario, now)
    _install_grants(db, scenario, now)


def _install_grants(db, scenario, now):
    """Seeded OAuth grants: fixed tokens, valid from the world's load for their lifetimes. They
    behave like a customer's authorization-code tokens: refreshing gives new (random) tokens,
    and the seeded refresh token stays usable until it expires or is revoked."""
    settings = settings_of(scenario)
    for grant in scenario.get("grants", []):
        user = db.execute("SELECT id FROM business_users WHERE email = ? OR id = ?",
                          (grant["user"], grant["user"])).fetchone()
        access, refresh = grant.get("accessToken"), grant.get("refreshToken")
        if access:
            ttl = grant.get("accessTokenExpiresIn", settings["accessTokenLifetimeSeconds"])
            insert(db, "tokens", token=access, kind="access", client_id=grant["application"], user_id=user["id"],
                   grant_type="authorization_code", issued_at=now, expires_at=now + ttl, pair=refresh)
        if refresh:
            ttl = grant.get("refreshTokenExpiresIn", settings["refreshTokenLifetimeSeconds"])
            insert(db, "tokens", token=refresh, kind="refresh", client_id=grant["application"], user_id=user["id"],
                   grant_type="authorization_code", issued_at=now, expires_at=now + ttl)


def _install_partner(db, partner, now):
    insert(db, "partners", id=partner["id"], name=partner["name"])
    insert(db, "applications", api_key=partner["apiKey"], api_secret=partner["apiSecret"], kind="partner",
           name=partner["name"], partner_id=partner["id"],
           redirect_uris=json.dumps(partner.get("redirectUris", [])), created_at=now)
    for user in partner.get("users", []):
        _install_user(db, user, partner_id=partner["id"])


def _install_user(db, user, partner_id=None, business_unit_id=None):
    insert(db, "business_users", id=user["id"], email=user["email"], password=user["password"],
           name=user.get("name", user["email"].split("@")[0]), role=user.get("role", "admin"),
           two_factor=int(user.get("twoFactor", False)), partner_id=partner_id, business_unit_id=business_unit_id)


def _install_business_unit(db, unit, ids, anchor, now, progress=None):
    domain = unit["domain"]
    others = unit.get("otherDomains", [])
    insert(db, "business_units", id=unit["id"], display_name=unit.get("displayName", domain), identifying_name=domain,
           referring_names=json.dumps([domain] + others), website_url=unit.get("websiteUrl", f"https://www.{domain}"),
           country=unit.get("country", "DK"), plan=unit["plan"],
           partner_permissions=int(unit.get("partnerPermissions", False)), status="active")
    insert_many(db, "business_unit_names", ("name", "business_unit_id"),
                [(name, unit["id"]) for name in [domain] + others])
    for user in unit.get("users", []):
        _install_user(db, user, business_unit_id=unit["id"])
    for app in unit.get("applications", []):
        insert(db, "applications", api_key=app["apiKey"], api_secret=app["apiSecret"], kind="business",
               name=app.get("name", app["apiKey"]), business_unit_id=unit["id"],
               redirect_uris=json.dumps(app.get("redirectUris", [])), created_at=now)
    context = UnitContext(ids=ids, anchor=anchor, now=now, location_ids=_install_locations(db, unit, ids),
                          progress=progress)
    for area in AREAS:
        area.install_business_unit(db, unit, context)


def _install_locations(db, unit, ids):
    rows = generators.expand(unit.get("locations"),
                  lambda n, seed: generators.locations(SeededIds(seed) if seed is not None else ids, n))
    ids_out = []
    for position, loc in enumerate(rows):
        loc_id = loc.get("id") or ids.uuid()
        address = {k: loc[k] for k in ("street", "city", "postcode", "country") if k in loc}
        insert(db, "locations", business_unit_id=unit["id"], position=position, id=loc_id, name=loc["name"],
               url_formatted_name=_url_name(loc["name"]), external_id=loc.get("externalId"),
               address=json.dumps(address))
        ids_out.append(loc_id)
    return ids_out


def _url_name(name):
    return "".join(ch for ch in name.title() if ch.isalnum())
