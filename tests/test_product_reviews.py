"""Product reviews: public lists and summaries, private lists and single reviews, the catalog in
scenarios; in-process, plus one read across pages over real HTTP."""

import pytest
import requests

from helpers import DEMO_BU, TOKEN_PATH, basic, password_token
from mock_server import create_app, scenario
from mock_server.state.errors import InvalidScenario

KEY = {"apikey": "demo-partner-key"}
PUBLIC = f"/v1/product-reviews/business-units/{DEMO_BU}"
PRIVATE = f"/v1/private/product-reviews/business-units/{DEMO_BU}/reviews"
ALL_SKUS = ",".join(f"SKU-{n:05d}" for n in range(1, 21))
SHOP = "aaaaaaaaaaaaaaaaaaaaaaaa"
SHOP_KEY = {"apikey": "shop-key"}
SHOP_WORLD = f"""
name: products
seed: 7
clock: {{start: "2026-06-01T00:00:00Z"}}
businessUnits:
  - id: {SHOP}
    domain: shop.example
    plan: standard
    applications: [{{apiKey: shop-key, apiSecret: shop-secret}}]
    products:
      - {{sku: MUG-1, name: Blue Mug, productUrl: "https://shop.example/mug"}}
      - {{sku: TEE-1, name: White Tee}}
      - {{sku: HAT-1, name: Sun Hat}}
    productReviews:
      - {{id: bbbbbbbbbbbbbbbbbbbbbb01, sku: MUG-1, stars: 5, content: Lovely, consumerName: Ann Lee,
          consumerEmail: ann@shop.example, referenceId: ORD-1, createdAt: "2026-01-01T10:00:00Z"}}
      - {{sku: MUG-1, stars: 4, content: Good, language: da, createdAt: "2026-01-02T10:00:00Z"}}
      - {{sku: MUG-1, stars: 1, content: Cracked, state: unpublished, createdAt: "2026-01-03T10:00:00Z"}}
      - {{sku: TEE-1, stars: 2, content: Shrank, state: archived, createdAt: "2026-01-04T10:00:00Z"}}
      - {{sku: TEE-1, stars: 3, content: Fine, createdAt: "2026-01-05T10:00:00Z"}}
"""


def shop_client():
    return create_app({"SCENARIO": scenario.parse(SHOP_WORLD, "shop")}).test_client()


def shop_token(client):
    response = client.post(TOKEN_PATH, headers=basic("shop-key", "shop-secret"), data={"grant_type": "client_credentials"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def product_reviews(client, path=f"{PUBLIC}/reviews", headers=KEY, **query):
    response = client.get(path, query_string=query, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def all_pages(client, path=f"{PUBLIC}/reviews", headers=KEY, **query):
    seen, page = [], 1
    while True:
        body = product_reviews(client, path, headers, page=page, perPage=100, **query)
        if not body["productReviews"]:
            return seen
        seen.extend(body["productReviews"])
        page += 1


def service_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["correlationId"]
    return body["errorCode"], body["details"]


# -- list_product_reviews -----------------------------------------------------------------
def test_list_product_reviews_default_page_is_20_newest_first(client):
    body = product_reviews(client, sku=ALL_SKUS)
    dates = [review["createdAt"] for review in body["productReviews"]]
    assert len(dates) == 20 and dates == sorted(dates, reverse=True)
    assert set(body["productReviews"][0]) == {"id", "createdAt", "stars", "content", "consumer", "language",
                                              "attachments", "attributeRatings"}


def test_list_product_reviews_pages_cover_every_published_review_once(client):
    seen = all_pages(client, sku="SKU-00003")
    summary = client.get(PUBLIC, query_string={"sku": "SKU-00003"}, headers=KEY).get_json()
    assert len(seen) == len({review["id"] for review in seen}) == summary["numberOfReviews"]["total"] > 0


def test_list_product_reviews_several_skus_repeated_or_comma_joined(client):
    joined = product_reviews(client, sku="SKU-00001,SKU-00002", perPage=100)
    repeated = client.get(f"{PUBLIC}/reviews?sku=SKU-00001&sku=SKU-00002&perPage=100", headers=KEY).get_json()
    single = [product_reviews(client, sku=sku, perPage=100)["productReviews"] for sku in ("SKU-00001", "SKU-00002")]
    assert joined == repeated
    assert {r["id"] for r in joined["productReviews"]} == {r["id"] for page in single for r in page}


def test_list_product_reviews_by_product_url(client):
    by_url = product_reviews(client, productUrl="https://www.trustpilotdemo.com/products/sku-00004", perPage=100)
    by_sku = product_reviews(client, sku="SKU-00004", perPage=100)
    assert by_url["productReviews"] == by_sku["productReviews"] != []


def test_list_product_reviews_filters_by_stars_and_language(client):
    body = product_reviews(client, sku=ALL_SKUS, stars="4,5", language="da", perPage=100)
    assert body["productReviews"]
    assert all(r["stars"] in (4, 5) and r["language"] == "da" for r in body["productReviews"])


def test_list_product_reviews_language_all_means_every_language(client):
    every = product_reviews(client, sku=ALL_SKUS)["productReviews"]
    assert product_reviews(client, sku=ALL_SKUS, language="all")["productReviews"] == every


def test_list_product_reviews_beyond_last_page_is_empty(client):
    body = product_reviews(client, sku="SKU-00001", page=1000)
    assert body["productReviews"] == []
    assert [link["rel"] for link in body["links"]] == ["prev-page"]


def test_list_product_reviews_links_keep_filters_and_request_host(client):
    response = client.get(f"{PUBLIC}/reviews?sku=SKU-00001,SKU-00002&stars=5&perPage=2&page=2",
                          headers={**KEY, "Host": "sandbox.ci:9000"})
    links = {link["rel"]: link["href"] for link in response.get_json()["links"]}
    base = f"http://sandbox.ci:9000{PUBLIC}/reviews?sku=SKU-00001%2CSKU-00002&stars=5"
    assert links == {"next-page": f"{base}&page=3&perPage=2", "prev-page": f"{base}&page=1&perPage=2"}


def test_list_product_reviews_unknown_sku_is_empty(client):
    assert product_reviews(client, sku="NO-SUCH-SKU") == {"productReviews": [], "links": []}


def test_list_product_reviews_leaves_out_unpublished_reviews():
    body = product_reviews(shop_client(), f"/v1/product-reviews/business-units/{SHOP}/reviews", SHOP_KEY, sku="MUG-1")
    assert [(r["stars"], r["content"]) for r in body["productReviews"]] == [(4, "Good"), (5, "Lovely")]


def test_list_product_reviews_reads_bruno_capital_sku(client):
    assert product_reviews(client, Sku="SKU-00005") == product_reviews(client, sku="SKU-00005")


def test_list_product_reviews_without_sku_or_product_url_is_400(client):
    response = client.get(f"{PUBLIC}/reviews", headers=KEY)
    assert service_error(response, 400) == (
        1001, "give query parameter 'sku' (one or more skus, comma-separated) and/or 'productUrl'")


@pytest.mark.parametrize("query, detail", [
    ("sku=,", "query parameter 'sku' names no sku (got ',')"),
    ("productUrl=%20", "query parameter 'productUrl' is empty"),
    ("sku=A&page=0", "query parameter 'page' must be between 1 and 2147483647, got 0"),
    ("sku=A&perPage=101", "query parameter 'perPage' must be between 1 and 100, got 101"),
    ("sku=A&stars=6", "query parameter 'stars' must be an integer from 1 to 5, got '6'"),
    ("sku=A&language=english", "query parameter 'language' must be a two-letter language code (ISO 639-1) "
                               "or 'all', got 'english'"),
])
def test_list_product_reviews_bad_query_is_400(client, query, detail):
    assert service_error(client.get(f"{PUBLIC}/reviews?{query}", headers=KEY), 400) == (1001, detail)


def test_list_product_reviews_unknown_unit_is_404(client):
    response = client.get("/v1/product-reviews/business-units/000000000000000000000000/reviews?sku=A", headers=KEY)
    assert service_error(response, 404) == (1004, "no business unit has the id '000000000000000000000000'")


def test_list_product_reviews_without_credentials_is_401(client):
    response = client.get(f"{PUBLIC}/reviews?sku=A")
    assert response.status_code == 401
    assert response.get_json()["fault"]["detail"]["errorcode"] == "steps.oauth.v2.FailedToResolveAPIKey"


# -- get_product_reviews_summary ----------------------------------------------------------
def test_get_product_reviews_summary_counts_published_reviews():
    response = shop_client().get(f"/v1/product-reviews/business-units/{SHOP}?sku=MUG-1", headers=SHOP_KEY)
    assert response.get_json() == {"sku": "MUG-1", "starsAverage": 4.5, "numberOfReviews": {
        "total": 2, "oneStar": 0, "twoStars": 0, "threeStars": 0, "fourStars": 1, "fiveStars": 1}}


def test_get_product_reviews_summary_of_several_skus_is_one_combined_summary():
    response = shop_client().get(f"/v1/product-reviews/business-units/{SHOP}?sku=MUG-1,TEE-1", headers=SHOP_KEY)
    assert response.get_json() == {"sku": "MUG-1,TEE-1", "starsAverage": 4.0, "numberOfReviews": {
        "total": 3, "oneStar": 0, "twoStars": 0, "threeStars": 1, "fourStars": 1, "fiveStars": 1}}


def test_get_product_reviews_summary_sku_without_reviews_is_zero():
    response = shop_client().get(f"/v1/product-reviews/business-units/{SHOP}?sku=HAT-1", headers=SHOP_KEY)
    assert response.get_json() == {"sku": "HAT-1", "starsAverage": 0, "numberOfReviews": {
        "total": 0, "oneStar": 0, "twoStars": 0, "threeStars": 0, "fourStars": 0, "fiveStars": 0}}


def test_get_product_reviews_summary_matches_the_listed_reviews(client):
    stars = [review["stars"] for review in all_pages(client, sku="SKU-00007")]
    summary = client.get(PUBLIC, query_string={"sku": "SKU-00007"}, headers=KEY).get_json()
    counts = summary["numberOfReviews"]
    assert [counts[f] for f in ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")] == [
        stars.count(n) for n in range(1, 6)]
    assert summary["starsAverage"] == round(sum(stars) / len(stars), 1)


def test_get_product_reviews_summary_without_sku_is_400(client):
    response = client.get(PUBLIC, headers=KEY)
    assert service_error(response, 400) == (1001, "query parameter 'sku' is required (one or more skus, comma-separated)")


# -- get_product_reviews_batch_summaries --------------------------------------------------
def test_get_product_reviews_batch_summaries_one_per_distinct_sku_in_order(client):
    response = client.post(f"{PUBLIC}/batch-summaries", json={"skus": ["SKU-00002", "NOPE", "SKU-00001", "NOPE"]},
                           headers=KEY)
    assert response.status_code == 200
    summaries = response.get_json()["summaries"]
    assert [s["sku"] for s in summaries] == ["SKU-00002", "NOPE", "SKU-00001"]
    assert summaries[1]["numberOfReviews"]["total"] == 0


def test_get_product_reviews_batch_summaries_match_single_summaries(client):
    batch = client.post(f"{PUBLIC}/batch-summaries", json={"skus": ["SKU-00008", "SKU-00009"]}, headers=KEY)
    singles = [client.get(PUBLIC, query_string={"sku": sku}, headers=KEY).get_json() for sku in ("SKU-00008", "SKU-00009")]
    assert batch.get_json()["summaries"] == singles


@pytest.mark.parametrize("body", [{}, {"skus": []}, {"skus": "SKU-00001"}, {"skus": ["SKU-00001", ""]},
                                  {"skus": [5]}])
def test_get_product_reviews_batch_summaries_bad_body_is_400(client, body):
    response = client.post(f"{PUBLIC}/batch-summaries", json=body, headers=KEY)
    assert service_error(response, 400) == (
        1001, "the body's 'skus' must be a non-empty array of non-empty strings, e.g. {\"skus\": [\"ABC-1234\"]}")


def test_get_product_reviews_batch_summaries_form_body_is_415(client):
    response = client.post(f"{PUBLIC}/batch-summaries", data={"skus": "SKU-00001"}, headers=KEY)
    assert service_error(response, 415) == (
        1015, "send Content-Type application/json, not 'application/x-www-form-urlencoded'")


# -- list_private_product_reviews / get_private_product_review -----------------------------
def test_list_private_product_reviews_has_private_fields(client, customer):
    review = product_reviews(client, PRIVATE, customer)["productReviews"][0]
    assert set(review) == {"id", "createdAt", "stars", "content", "product", "consumer", "language", "locale",
                           "state", "referenceId", "conversationId", "attachments", "attributeRatings"}
    assert review["product"]["sku"].startswith("SKU-") and review["product"]["name"]
    assert review["consumer"]["email"].endswith("@example.com") and review["state"] == "published"


def test_list_private_product_reviews_default_lists_published_of_every_product(client, customer):
    private = all_pages(client, PRIVATE, customer)
    public = all_pages(client, sku=ALL_SKUS)
    assert [r["id"] for r in private] == [r["id"] for r in public]


def test_list_private_product_reviews_filters_by_state():
    client = shop_client()
    body = product_reviews(client, f"/v1/private/product-reviews/business-units/{SHOP}/reviews", shop_token(client),
                           state="unpublished,archived")
    assert [(r["product"]["sku"], r["state"]) for r in body["productReviews"]] == [
        ("TEE-1", "archived"), ("MUG-1", "unpublished")]


def test_list_private_product_reviews_bad_state_is_400(client, customer):
    response = client.get(f"{PRIVATE}?state=deleted", headers=customer)
    assert service_error(response, 400) == (
        1001, "query parameter 'state' must be one of published, unpublished, underModeration, archived, got 'deleted'")


def test_list_private_product_reviews_api_key_is_401(client):
    response = client.get(PRIVATE, headers=KEY)
    assert response.status_code == 401
    assert "an API key is not enough" in response.get_json()["fault"]["detail"]["reason"]


def test_list_private_product_reviews_partner_token_is_403(client):
    token = password_token(client)["access_token"]
    response = client.get(PRIVATE, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.get_json()["fault"]["detail"]["errorcode"] == "access.Forbidden"


def test_list_private_product_reviews_unknown_unit_is_404(client, customer):
    response = client.get("/v1/private/product-reviews/business-units/000000000000000000000000/reviews",
                          headers=customer)
    assert service_error(response, 404) == (1004, "no business unit has the id '000000000000000000000000'")


def test_get_private_product_review_matches_listed_scenario_values():
    client = shop_client()
    response = client.get("/v1/private/product-reviews/bbbbbbbbbbbbbbbbbbbbbb01", headers=shop_token(client))
    body = response.get_json()
    assert response.status_code == 200
    assert body["product"] == {"sku": "MUG-1", "name": "Blue Mug"}
    assert (body["consumer"]["name"], body["consumer"]["email"]) == ("Ann Lee", "ann@shop.example")
    assert (body["createdAt"], body["referenceId"], body["locale"]) == ("2026-01-01T10:00:00Z", "ORD-1", "en-GB")


def test_get_private_product_review_matches_list_entry(client, customer):
    listed = product_reviews(client, PRIVATE, customer)["productReviews"][3]
    assert client.get(f"/v1/private/product-reviews/{listed['id']}", headers=customer).get_json() == listed


def test_get_private_product_review_unknown_is_404(client, customer):
    response = client.get("/v1/private/product-reviews/000000000000000000000000", headers=customer)
    assert service_error(response, 404) == (1004, "no product review has the id '000000000000000000000000'")


def test_get_private_product_review_of_another_unit_is_403(client, customer):
    shop = shop_client()
    response = shop.get("/v1/private/product-reviews/bbbbbbbbbbbbbbbbbbbbbb01", headers=shop_token(shop))
    assert response.status_code == 200
    review_id = product_reviews(client, PRIVATE, customer)["productReviews"][0]["id"]
    token = password_token(client)["access_token"]
    response = client.get(f"/v1/private/product-reviews/{review_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "has no access to business unit 507f191e810c19729de860ea" in response.get_json()["fault"]["faultstring"]


# -- scenarios -----------------------------------------------------------------------------
def test_scenario_generated_product_reviews_are_deterministic():
    first, second = create_app().test_client(), create_app().test_client()
    assert product_reviews(first, sku=ALL_SKUS, perPage=100) == product_reviews(second, sku=ALL_SKUS, perPage=100)


@pytest.mark.parametrize("change, problem", [
    (("sku: TEE-1, stars: 3", "sku: CAP-9, stars: 3"),
     "businessUnits[0].productReviews[4].sku: 'CAP-9' is not the sku of a product of this business unit"),
    (("sku: HAT-1", "sku: MUG-1"), "businessUnits[0].products[2].sku: duplicate sku 'MUG-1' (first used at products[0])"),
])
def test_scenario_product_problems_are_refused(change, problem):
    with pytest.raises(InvalidScenario) as caught:
        scenario.parse(SHOP_WORLD.replace(*change), "shop.yaml")
    assert problem in str(caught.value)


def test_scenario_generated_product_reviews_need_products():
    text = ("name: x\nbusinessUnits:\n  - {id: cccccccccccccccccccccccc, domain: x.example, plan: free,\n"
            "     productReviews: {generate: 5}}\n")
    with pytest.raises(InvalidScenario) as caught:
        scenario.parse(text, "x.yaml")
    assert "x.yaml:4: businessUnits[0].productReviews: there are no products to review: add 'products'" in str(caught.value)


# -- over real HTTP ------------------------------------------------------------------------
def test_list_product_reviews_over_http_follows_next_page_links(live):
    session = requests.Session()
    session.headers.update(KEY)
    url, seen, pages = f"{live}{PUBLIC}/reviews?sku={ALL_SKUS}&perPage=40", [], 0
    while url:
        response = session.get(url, timeout=10)
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(review["id"] for review in body["productReviews"])
        pages += 1
        url = next((link["href"] for link in body["links"] if link["rel"] == "next-page"), None)
        assert url is None or url.startswith(live)
    summaries = session.post(f"{live}{PUBLIC}/batch-summaries", json={"skus": ALL_SKUS.split(",")}, timeout=10).json()
    total = sum(s["numberOfReviews"]["total"] for s in summaries["summaries"])
    assert len(seen) == len(set(seen)) == total and pages == -(-total // 40)
