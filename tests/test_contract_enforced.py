"""The contract says what the server enforces: parameters that only work apart, a list that
needs one of two parameters, and dates that do not exist are violations in openapi/trustpilot.yaml."""

import pytest
from helpers import DEMO_BU, PARTNER

KEY = {"apikey": PARTNER[0]}


@pytest.fixture
def strict(client):
    assert client.patch("/_mock/settings", json={"requestValidation": "strict"}).status_code == 200
    return client


def _refused_by_the_contract(response):
    assert response.status_code == 400
    body = response.get_json()
    assert body["errorCode"] == 1001
    return [v["message"] for v in body.get("violations", [])] or [body["details"]]


def test_cursor_with_page_is_a_contract_violation(strict):
    response = strict.get("/v1/business-units/all", query_string={"cursor": DEMO_BU, "page": 2}, headers=KEY)
    assert "query parameter 'cursor': cannot be used together with 'page': page with 'page' or follow 'cursor', " \
           "not both" in _refused_by_the_contract(response)[0]


def test_product_reviews_without_sku_or_product_url_is_a_contract_violation(strict):
    response = strict.get(f"/v1/product-reviews/business-units/{DEMO_BU}/reviews", headers=KEY)
    assert "query parameter 'sku': is required unless 'productUrl' is given" in _refused_by_the_contract(response)[0]


def test_product_reviews_with_product_url_alone_passes_the_contract(strict):
    response = strict.get(f"/v1/product-reviews/business-units/{DEMO_BU}/reviews",
                          query_string={"productUrl": "https://www.trustpilotdemo.com/products/sku-00001"}, headers=KEY)
    assert response.status_code == 200


def _violations_of_last_request(client):
    entries = client.get("/_mock/journal").get_json()["entries"]
    return entries[-1].get("violations", [])


@pytest.mark.parametrize("date", ["1970-02-31", "2023-02-29", "2100-02-29", "2026-04-31"])
def test_a_date_that_does_not_exist_is_a_contract_violation(client, customer, date):
    response = client.get(f"/v1/private/business-units/{DEMO_BU}/reviews", query_string={"startDateTime": date},
                          headers=customer)
    assert response.status_code == 400  # the route's own answer (lenient mode)
    assert [v["name"] for v in _violations_of_last_request(client)] == ["startDateTime"]


@pytest.mark.parametrize("date", ["2024-02-29", "2000-02-29", "2026-04-30T10:00:00Z"])
def test_a_real_date_passes_the_contract(strict, customer, date):
    response = strict.get(f"/v1/private/business-units/{DEMO_BU}/reviews", query_string={"startDateTime": date},
                          headers=customer)
    assert response.status_code == 200, response.get_data(as_text=True)
