"""Seeded generators for large parts of a world (``locations: {generate: N}``, ``reviews: ...``).

Same seed, same rows: every value comes from the ``SeededIds`` stream handed in.
"""

from .clock import iso

STREETS = ["High Street", "Station Road", "Main Street", "Park Road", "Church Lane", "Mill Lane",
           "Kingsway", "Market Place", "Bridge Street", "Queen Street", "Vesterbrogade", "Nørregade"]
CITIES = [("London", "GB", "EC1A"), ("Manchester", "GB", "M1"), ("Copenhagen", "DK", "1050"),
          ("Aarhus", "DK", "8000"), ("New York", "US", "10001"), ("Denver", "US", "80202"),
          ("Berlin", "DE", "10115"), ("Milan", "IT", "20121"), ("Madrid", "ES", "28001")]
FIRST = ["Anna", "Ben", "Clara", "David", "Emma", "Frederik", "Grace", "Hugo", "Ida", "Jonas",
         "Karen", "Liam", "Maja", "Noah", "Olivia", "Peter", "Sofia", "Tom", "Ulla", "Viktor"]
LAST = ["Hansen", "Smith", "Jensen", "Brown", "Nielsen", "Taylor", "Larsen", "Wilson",
        "Rossi", "Garcia", "Müller", "Andersen"]
LANGUAGES = ["en"] * 6 + ["da"] * 2 + ["de", "es", "it"]
STAR_WEIGHTS = [8, 4, 6, 22, 60]  # a typical review profile: most five stars, a tail of ones
TITLES = {1: "Very disappointed", 2: "Not great", 3: "It was okay", 4: "Good service", 5: "Excellent!"}
TEXTS = {1: "The order arrived late and support never answered.",
         2: "Slow delivery and the product was not as described.",
         3: "Fine overall, nothing special.",
         4: "Quick delivery and friendly staff. Would buy again.",
         5: "Fantastic experience from start to finish, highly recommended."}
TWO_YEARS = 2 * 365 * 24 * 3600


def locations(ids, count):
    for n in range(count):
        street = ids.random.choice(STREETS)
        city, country, postcode = ids.random.choice(CITIES)
        name = f"{city} {street} {n + 1}"
        yield {"id": ids.uuid(), "name": name, "externalId": f"LOC-{n + 1:05d}", "street": f"{n + 1} {street}",
               "city": city, "postcode": postcode, "country": country}


def reviews(ids, count, location_ids, anchor):
    """Reviews dated over the two years before ``anchor`` (epoch seconds)."""
    rnd = ids.random
    for _ in range(count):
        stars = rnd.choices(range(1, 6), weights=STAR_WEIGHTS)[0]
        yield {
            "id": ids.object_id(),
            "stars": stars,
            "title": TITLES[stars],
            "text": TEXTS[stars],
            "language": rnd.choice(LANGUAGES),
            "createdAt": iso(anchor - rnd.randrange(TWO_YEARS)),
            "consumerName": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
            "locationId": rnd.choice(location_ids) if location_ids and rnd.random() < 0.7 else None,
        }
