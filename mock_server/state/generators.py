"""Seeded generators for large parts of a world (``locations: {generate: N}``, ``reviews: ...``).

Same seed, same rows: every value comes from the ``SeededIds`` stream handed in.
"""

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
