"""Rows of a business unit's product catalog and product reviews, listed or seeded.

Generated rows follow the service-review generator: one ``getrandbits`` per row drives every
choice, review dates spread evenly over the two years before the anchor, oldest first, and
ids shaped like Mongo ObjectIds (creation time in the first four bytes), so 100,000 product
reviews are written in about a second. Generated skus are ``SKU-00001``, ``SKU-00002``, ...
so that a scenario can list reviews of a generated catalog.
"""

import re

from .clock import iso, parse_iso
from .generators import FIRST, LAST, TWO_YEARS

STATES = ("published", "unpublished", "underModeration", "archived")
# 100 slots each: product reviews skew a little more positive than service reviews.
STARS = [1] * 6 + [2] * 4 + [3] * 8 + [4] * 24 + [5] * 58
STATE_SLOTS = ["published"] * 90 + ["unpublished"] * 4 + ["underModeration"] * 3 + ["archived"] * 3
LANGUAGES = ["en"] * 10 + ["da"] * 3 + ["de"] * 1 + ["es"] * 1 + ["it"] * 1   # 16 slots
LOCALES = {"en": "en-GB", "da": "da-DK", "de": "de-DE", "es": "es-ES", "it": "it-IT", "sv": "sv-SE",
           "nl": "nl-NL", "fr": "fr-FR", "nb": "nb-NO", "fi": "fi-FI", "pl": "pl-PL", "pt": "pt-PT"}
ADJECTIVES = ["Classic", "Organic", "Compact", "Deluxe", "Everyday", "Premium", "Nordic", "Travel",
              "Vintage", "Smart", "Eco", "Ultra"]
NOUNS = ["Cotton T-Shirt", "Coffee Grinder", "Desk Lamp", "Water Bottle", "Backpack", "Headphones",
         "Wool Blanket", "Chef's Knife", "Running Shoes", "Phone Case", "Tea Kettle", "Yoga Mat",
         "Sunglasses", "Notebook", "Scented Candle", "Cutting Board"]
BRANDS = ["Acme", "Nordlys", "Hygge & Co", "Brightside", "Fjord", "Oak & Iron"]
CONTENT = {1: "Broke after a week and the replacement never arrived. Would not buy the {name} again.",
           2: "The {name} looks nice but the quality is disappointing for the price.",
           3: "The {name} does the job. Nothing special, nothing wrong.",
           4: "Really happy with the {name}. Good quality and it arrived quickly.",
           5: "Love the {name}! Excellent quality, exactly as described, would buy again."}
PRODUCT_COLUMNS = ("business_unit_id", "sku", "pos", "id", "name", "mpn", "brand", "gtin", "image_url",
                   "product_url")
REVIEW_COLUMNS = ("id", "business_unit_id", "sku", "pos", "stars", "content", "language", "locale",
                  "created_at", "consumer_id", "consumer_name", "consumer_email", "state", "reference_id")


def generated_sku(n):
    """The sku of the n-th (1-based) generated product."""
    return f"SKU-{n:05d}"


def product_rows(ids, spec, unit):
    """Catalog rows (see PRODUCT_COLUMNS) for a ``products`` entry: a list or ``{generate: N}``."""
    website = unit.get("websiteUrl", f"https://www.{unit['domain']}").rstrip("/")
    if isinstance(spec, dict):
        return [_generated_product(ids, n, unit["id"], website) for n in range(1, spec["generate"] + 1)]
    return [(unit["id"], p["sku"], pos, p.get("id") or ids.object_id(), p["name"], p.get("mpn"), p.get("brand"),
             p.get("gtin"), p.get("imageUrl"), p.get("productUrl"))
            for pos, p in enumerate(spec or [], start=1)]


def _generated_product(ids, n, unit_id, website):
    r = ids.random.getrandbits(64)
    sku = generated_sku(n)
    name = f"{ADJECTIVES[r % len(ADJECTIVES)]} {NOUNS[(r >> 8) % len(NOUNS)]}"
    return (unit_id, sku, n, ids.object_id(), name, f"MPN-{(r >> 16) & 0xFFFFFF:06X}",
            BRANDS[(r >> 40) % len(BRANDS)], f"57{(r >> 24) % 10**11:011d}",
            f"{website}/images/products/{sku.lower()}.jpg", f"{website}/products/{sku.lower()}")


def review_rows(ids, count, unit_id, products, anchor):
    """``count`` seeded review rows (see REVIEW_COLUMNS) over ``products`` [(sku, name)], oldest first."""
    if not products:
        return
    rnd = ids.random
    start = anchor - TWO_YEARS
    step = TWO_YEARS / max(count, 1)
    for n in range(count):
        ts = int(start + (n + rnd.random()) * step)
        r = rnd.getrandbits(64)
        stars = STARS[r % 100]
        sku, name = products[(r >> 7) % len(products)]
        first, last = FIRST[(r >> 20) % len(FIRST)], LAST[(r >> 25) % len(LAST)]
        language = LANGUAGES[(r >> 30) % 16]
        yield (f"{ts:08x}{r & 0xFFFFFFFFFF:010x}{n & 0xFFFFFF:06x}", unit_id, sku, n + 1, stars,
               CONTENT[stars].format(name=name), language, LOCALES[language], iso(ts),
               f"{ts:08x}{(r >> 24) & 0xFFFFFFFFFF:010x}{n & 0xFFFFFF:06x}", f"{first} {last}",
               f"{first.lower()}.{last.lower()}{n + 1}@example.com", STATE_SLOTS[(r >> 34) % 100],
               f"ORD-{n + 1:07d}")


def listed_review_rows(ids, reviews, unit_id, anchor):
    """Reviews written out in the scenario, put in creation order (ties keep file order)."""
    dated = sorted(enumerate(reviews), key=lambda item: (_epoch(item[1], anchor), item[0]))
    for pos, (_, review) in enumerate(dated, start=1):
        language = review.get("language", "en")
        name = review.get("consumerName", "Anonymous")
        email = review.get("consumerEmail") or f"{'.'.join(name.lower().split()) or 'consumer'}{pos}@example.com"
        yield (review.get("id") or ids.object_id(), unit_id, review["sku"], pos, review["stars"],
               review["content"], language, LOCALES.get(language, f"{language}-{language.upper()}"),
               iso(_epoch(review, anchor)), ids.object_id(), name, email, review.get("state", "published"),
               review.get("referenceId"))


def _epoch(review, anchor):
    return int(parse_iso(str(review["createdAt"]))) if review.get("createdAt") else int(anchor)


def _in_catalog(spec, listed, sku):
    """Whether a ``products`` entry defines ``sku``: ``listed`` skus, or SKU-n with n <= N generated."""
    if isinstance(spec, dict):
        match = re.fullmatch(r"SKU-([0-9]{5,})", sku)
        return bool(match) and 1 <= int(match[1]) <= spec["generate"]
    return sku in listed


def product_problems(unit, base):
    """(path, message) for what the schema cannot say: unique skus, reviews of catalog products, dates."""
    problems, seen = [], {}
    products, reviews = unit.get("products"), unit.get("productReviews")
    for j, product in enumerate(products if isinstance(products, list) else []):
        if product["sku"] in seen:
            problems.append((base + ["products", j, "sku"],
                             f"duplicate sku {product['sku']!r} (first used at products[{seen[product['sku']]}])"))
        seen.setdefault(product["sku"], j)
    if isinstance(reviews, dict) and reviews["generate"] and not _catalog_size(products):
        problems.append((base + ["productReviews"], "there are no products to review: add 'products'"))
    for j, review in enumerate(reviews if isinstance(reviews, list) else []):
        if not _in_catalog(products, seen, review["sku"]):
            problems.append((base + ["productReviews", j, "sku"],
                             f"{review['sku']!r} is not the sku of a product of this business unit"))
        if "createdAt" in review:
            try:
                parse_iso(str(review["createdAt"]))
            except ValueError:
                problems.append((base + ["productReviews", j, "createdAt"], "not a valid ISO-8601 date-time"))
    return problems


def _catalog_size(products):
    return products["generate"] if isinstance(products, dict) else len(products or [])
