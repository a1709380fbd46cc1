"""Seeded generators for large parts of a world (``locations: {generate: N}``, ``reviews: ...``).

Same seed, same rows: every value comes from the ``SeededIds`` stream handed in.
"""

import itertools

from .ids import SeededIds

STREETS = ["High Street", "Station Road", "Main Street", "Park Road", "Church Lane", "Mill Lane",
           "Kingsway", "Market Place", "Bridge Street", "Queen Street", "Vesterbrogade", "Nørregade"]
CITIES = [("London", "GB", "EC1A"), ("Manchester", "GB", "M1"), ("Copenhagen", "DK", "1050"),
          ("Aarhus", "DK", "8000"), ("New York", "US", "10001"), ("Denver", "US", "80202"),
          ("Berlin", "DE", "10115"), ("Milan", "IT", "20121"), ("Madrid", "ES", "28001")]
FIRST = ["Anna", "Ben", "Clara", "David", "Emma", "Frederik", "Grace", "Hugo", "Ida", "Jonas",
         "Karen", "Liam", "Maja", "Noah", "Olivia", "Peter", "Sofia", "Tom", "Ulla", "Viktor"]
LAST = ["Hansen", "Smith", "Jensen", "Brown", "Nielsen", "Taylor", "Larsen", "Wilson",
        "Rossi", "Garcia", "Müller", "Andersen"]
TWO_YEARS = 2 * 365 * 24 * 3600


def expand(spec, make):
    """A list of rows, or a ``{generate: N, seed: S}`` spec expanded by ``make(N, seed)``."""
    if isinstance(spec, dict):
        return make(spec["generate"], spec.get("seed"))
    return spec or []


def locations(ids, count):
    for n in range(count):
        street = ids.random.choice(STREETS)
        city, country, postcode = ids.random.choice(CITIES)
        name = f"{city} {street} {n + 1}"
        yield {"id": ids.uuid(), "name": name, "externalId": f"LOC-{n + 1:05d}", "street": f"{n + 1} {street}",
               "city": city, "postcode": postcode, "country": country}


PLANS = ["standard"] * 6 + ["premium"] * 2 + ["free"] * 1 + ["advanced", "enterprise"]  # 11 slots
WORDS = ["Nordic", "Urban", "Green", "Bright", "Swift", "Happy", "Blue", "Golden", "Royal", "Smart",
         "Coastal", "Alpine", "Cosy", "Bold", "Pure"]
NOUNS = ["Shoes", "Bikes", "Coffee", "Books", "Garden", "Pets", "Travel", "Tech", "Home", "Fashion",
         "Toys", "Kitchen", "Sports", "Beauty", "Insurance"]
COUNTRY_CODES = ["GB", "DK", "US", "DE", "ES", "IT", "SE", "NL"]


def world_business_units(scenario):
    """Every business unit of a world, in install order: the listed ones, then the generated ones
    (each generated unit draws its own counts from the seed, so only iterating them tells)."""
    units = scenario.get("businessUnits", [])
    if "generatedBusinessUnits" not in scenario:
        return iter(units)
    return itertools.chain(units, business_units(scenario["generatedBusinessUnits"], scenario.get("seed", 0)))


def business_units(spec, world_seed):
    """``generatedBusinessUnits: {generate: N, seed?, reviewsPerUnit?, locationsPerUnit?}``: N business
    units named shop-00001.generated.example and on, each with an admin (password customer-password),
    a mix of plans and partner permissions, and its own generated locations and reviews."""
    ids = SeededIds(f"{spec.get('seed', world_seed)}:business-units")
    reviews, locations = spec.get("reviewsPerUnit", 50), spec.get("locationsPerUnit", 3)
    for n in range(1, spec["generate"] + 1):
        r = ids.random.getrandbits(32)
        domain = f"shop-{n:05d}.generated.example"
        yield {
            "id": ids.object_id(), "domain": domain, "country": COUNTRY_CODES[r % 8],
            "displayName": f"{WORDS[(r >> 3) % 15]} {NOUNS[(r >> 7) % 15]} {n}",
            "plan": PLANS[(r >> 11) % 11], "partnerPermissions": (r >> 15) % 10 < 7,
            "users": [{"id": ids.object_id(), "email": f"admin@{domain}", "password": "customer-password",
                       "role": "admin"}],
            "locations": {"generate": (r >> 19) % (2 * locations + 1)},
            "reviews": {"generate": (r >> 23) % (2 * reviews + 1)},
        }
