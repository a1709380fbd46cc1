"""The Showcase area: a business unit's public profile, web links and categories, and the
search and list-all directory of business units (api.trustpilot.com, API key).

Profile info and categories come from the scenario (``profile:`` and ``categories:`` on a
business unit) or from deterministic defaults derived from the unit. Emulator decisions (the
real values are undocumented or only partly documented, reference §2.2-§2.6):
  * profile defaults: ``info@<domain>``, a phone number made from the unit id, the display name
    as company name, the address of the unit's first location in its own country (else only
    the country), ``isSubscriber`` = the plan is not ``free``, ``isClaimed`` = the unit has users;
  * web links point at the consumer site of the locale's country (``www`` for US, ``uk`` for GB);
  * search matches the query as a substring of the display name or of any domain, ignoring
    ASCII case; exact matches first, then by display name;
  * list all pages by ``page``+``perPage`` or by ``cursor`` (the id of the last unit of the
    previous page; units are listed in id order), never both; ``cursor`` in the body is the
    next page's cursor, null on the last page;
  * category ranking is derived from the world: the units sharing the category in the country
    asked for (default: the unit's own), by TrustScore, then review count, then id. ``locale``
    is validated but names are not translated.
"""

import hashlib
import json

from . import errors
from .business_units import domain_of, trust_score_of
from .results import Page
from .store import insert
from .text import trimmed

SCHEMA = """
CREATE TABLE IF NOT EXISTS business_unit_profiles (
    business_unit_id TEXT PRIMARY KEY, profile TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS business_unit_categories (
    business_unit_id TEXT NOT NULL, position INTEGER NOT NULL, category_id TEXT NOT NULL,
    category TEXT NOT NULL, PRIMARY KEY (business_unit_id, position)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS business_unit_categories_by_id ON business_unit_categories (category_id);
"""
TABLES = ("business_unit_profiles", "business_unit_categories")

# Default categories, one chosen per unit from its id (Trustpilot-style slug ids).
DEFAULT_CATEGORIES = (("electronics_technology", "Electronics & Technology"), ("clothing_store", "Clothing Store"),
                      ("software_company", "Software Company"), ("travel_agency", "Travel Agency"),
                      ("furniture_store", "Furniture Store"), ("pet_store", "Pet Store"))
CALLING_CODES = {"DK": "+45", "GB": "+44", "US": "+1", "DE": "+49", "SE": "+46", "NO": "+47", "FR": "+33",
                 "ES": "+34", "IT": "+39", "NL": "+31", "AU": "+61", "CA": "+1", "IE": "+353"}
SOCIAL_MEDIA = ("facebook", "linkedin", "twitter", "googleplus", "youtube", "instagram")
SITE_HOSTS = {"US": "www", "GB": "uk"}  # other countries: the lower-cased country code


def install_business_unit(db, unit, context):
    insert(db, "business_unit_profiles", business_unit_id=unit["id"], profile=json.dumps(unit.get("profile", {})))
    categories = unit.get("categories")
    if categories is None:
        slug, name = DEFAULT_CATEGORIES[_digest(unit["id"]) % len(DEFAULT_CATEGORIES)]
        categories = [{"id": slug, "displayName": name, "isPrimary": True}]
    any_primary = any(c.get("isPrimary") for c in categories)
    for position, category in enumerate(categories):
        full = {"isPrimary": position == 0 and not any_primary, **category}
        insert(db, "business_unit_categories", business_unit_id=unit["id"], position=position,
               category_id=category["id"], category=json.dumps(full))


def install_world(db, scenario, now):
    """Nothing world-wide: profiles and categories belong to business units."""


class Showcase:
    """Profile info, web links, categories, search and the list of all units."""

    def __init__(self, store, access, business_units):
        """``access`` and ``business_units``: the sandbox's areas."""
        self.store = store
        self.access = access
        self.business_units = business_units

    def get_business_unit_profile_info(self, creds, business_unit_id, base_url):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            unit = db.execute("SELECT * FROM business_units WHERE id = ?", (unit_id,)).fetchone()
            row = db.execute("SELECT profile FROM business_unit_profiles WHERE business_unit_id = ?",
                             (unit_id,)).fetchone()
            given = json.loads(row[0]) if row else {}
            address = db.execute(
                "SELECT address FROM locations WHERE business_unit_id = ? AND json_extract(address, '$.country') = ? "
                "ORDER BY position LIMIT 1", (unit_id, unit["country"])).fetchone()
            has_users = db.execute("SELECT 1 FROM business_users WHERE business_unit_id = ? LIMIT 1",
                                   (unit_id,)).fetchone() is not None
        defaults = _default_profile(unit, json.loads(address[0]) if address else {}, has_users)
        profile = {key: ({**value, **given.get(key, {})} if isinstance(value, dict) else given.get(key, value))
                   for key, value in defaults.items()}
        profile["address"].setdefault("countryCode", profile["address"]["country"])
        links = [{"href": f"{base_url}/v1/business-units/{unit_id}/profileinfo", "method": "GET", "rel": "self"},
                 {"href": f"{base_url}/v1/business-units/{unit_id}", "method": "GET", "rel": "business-units"}]
        return {"links": links, "isSubscriber": unit["plan"] != "free", **profile}

    def get_business_unit_web_links(self, creds, business_unit_id, locale, base_url):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            domain = db.execute("SELECT identifying_name FROM business_units WHERE id = ?", (unit_id,)).fetchone()[0]
        region = locale.split("-")[1]
        site = f"https://{SITE_HOSTS.get(region, region.lower())}.trustpilot.com"
        return {"links": [{"href": f"{base_url}/v1/business-units/{unit_id}/web-links?locale={locale}",
                           "method": "GET", "rel": "self"}],
                "locale": locale,
                "profileUrl": f"{site}/review/{domain}",
                "evaluateUrl": f"{site}/evaluate/{domain}",
                "evaluateEmbedUrl": f"{site}/evaluate/embed/{domain}"}

    def search_business_units(self, creds, query, country, page, per_page, base_url):
        text = trimmed(query).lower()
        domain = domain_of(query)
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            units = db.execute(
                "SELECT u.*, (lower(u.display_name) = lower(?) OR EXISTS (SELECT 1 FROM business_unit_names n "
                "  WHERE n.business_unit_id = u.id AND n.name = ?)) AS exact "
                "FROM business_units u WHERE (? IS NULL OR u.country = ?) AND ("
                "  instr(lower(u.display_name), lower(?)) > 0 OR EXISTS (SELECT 1 FROM business_unit_names n "
                "  WHERE n.business_unit_id = u.id AND (instr(lower(n.name), lower(?)) > 0"
                "    OR instr(lower(n.name), lower(?)) > 0))) "
                "ORDER BY exact DESC, u.display_name COLLATE NOCASE, u.id LIMIT ? OFFSET ?",
                (text, domain, country, country, text, text, domain, per_page + 1, (page - 1) * per_page)).fetchall()
            return Page(self.business_units.unit_objects(db, units[:per_page], base_url), len(units) > per_page)

    def list_all_business_units(self, creds, countries, page, per_page, cursor, base_url):
        if cursor is not None and page is not None:
            raise errors.MalformedRequest("query parameters 'cursor' and 'page' cannot be used together: "
                                          "page with 'page' or follow 'cursor', not both")
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            units = db.execute(
                "SELECT * FROM business_units WHERE (json_array_length(?1) = 0 OR country IN "
                "(SELECT value FROM json_each(?1))) AND id > ?2 ORDER BY id LIMIT ?3 OFFSET ?4",
                (json.dumps(countries or []), cursor or "", per_page + 1, ((page or 1) - 1) * per_page)).fetchall()
            found = self.business_units.unit_objects(db, units[:per_page], base_url)
        more = len(units) > per_page
        return Page(found, more, found[-1]["id"] if more else None)

    def list_business_unit_categories(self, creds, business_unit_id, country, locale, base_url):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            country = country or db.execute("SELECT country FROM business_units WHERE id = ?", (unit_id,)).fetchone()[0]
            rows = db.execute("SELECT category_id, category FROM business_unit_categories "
                              "WHERE business_unit_id = ? ORDER BY position", (unit_id,)).fetchall()
            categories = [_category(json.loads(row["category"]),
                                    self._ranking(db, unit_id, row["category_id"], country)) for row in rows]
        return {"categories": categories}

    def _ranking(self, db, unit_id, category_id, country):
        """The unit's place among the units of ``country`` sharing the category (it always counts itself)."""
        peers = [row[0] for row in db.execute(
            "SELECT DISTINCT c.business_unit_id FROM business_unit_categories c JOIN business_units u "
            "ON u.id = c.business_unit_id WHERE c.category_id = ? AND (u.country = ? OR u.id = ?)",
            (category_id, country, unit_id))]
        counts = self.business_units.star_counts(db, peers)
        peers.sort(key=lambda uid: (-trust_score_of(counts.get(uid, {})), -sum(counts.get(uid, {}).values()), uid))
        return {"position": peers.index(unit_id) + 1, "cardinality": len(peers)}




def _digest(text):
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _default_profile(unit, address, has_users):
    name, domain, country = unit["display_name"], unit["identifying_name"], unit["country"]
    digits = f"{_digest(unit['id']) % 10 ** 8:08d}"
    phone = " ".join([CALLING_CODES.get(country, "+00")] + [digits[i:i + 2] for i in range(0, 8, 2)])
    return {
        "email": f"info@{domain}",
        "phone": phone,
        "companyName": name,
        "address": {"street": address.get("street"), "city": address.get("city"),
                    "postcode": address.get("postcode"), "country": country},
        "description": {"header": f"About {name}", "text": f"{name} ({domain}) collects reviews on Trustpilot."},
        "socialmedia": dict.fromkeys(SOCIAL_MEDIA),
        "facebookPageId": None,
        "facebookPageUrl": None,
        "isFacebookActivated": False,
        "isCommentsEnabled": True,
        "isIncentivisingUsers": False,
        "isClaimed": has_users,
    }


def _category(given, ranking):
    display = given.get("displayName") or given["id"].replace("_", " ").title()
    return {"id": given["id"], "categoryId": given["id"], "displayName": display,
            "name": given.get("name", display), "isPrimary": bool(given.get("isPrimary", False)),
            "predictedTopCategory": bool(given.get("predictedTopCategory", False)),
            "ranking": ranking, "relevance": given.get("relevance"), "source": given.get("source", "BusinessUser")}
