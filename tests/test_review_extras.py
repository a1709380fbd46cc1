"""A review's likes and web links, and the latest reviews across business units (in-process)."""

import pytest

from helpers import DEMO_BU, ok, service_error

KEY = {"apikey": "demo-partner-key"}


def newest(client, **query):
    return ok(client.get(f"/v1/business-units/{DEMO_BU}/reviews", query_string={"perPage": 100, **query},
                         headers=KEY))["reviews"]


# -- get_review_likes ------------------------------------------------------------------------
def test_get_review_likes_one_per_like_by_known_consumers(client):
    review = next(r for r in newest(client) if r["numberOfLikes"] >= 3)
    likes = ok(client.get(f"/v1/reviews/{review['id']}/likes", headers=KEY))["likes"]
    assert len(likes) == review["numberOfLikes"]
    likers = [like["consumer"]["id"] for like in likes]
    assert len(set(likers)) == len(likers) and review["consumer"]["id"] not in likers
    for like in likes:
        profile = ok(client.get(like["consumer"]["links"][0]["href"], headers=KEY))
        assert (profile["id"], profile["displayName"]) == (like["consumer"]["id"], like["consumer"]["displayName"])
        assert like["createdAt"] > review["createdAt"]


def test_get_review_likes_none_when_unliked(client):
    review = next(r for r in newest(client) if r["numberOfLikes"] == 0)
    assert ok(client.get(f"/v1/reviews/{review['id']}/likes", headers=KEY)) == {"likes": []}


# -- get_review_web_links --------------------------------------------------------------------
@pytest.mark.parametrize(("locale", "site"), [("en-gb", "https://uk.trustpilot.com"),
                                              ("en-US", "https://www.trustpilot.com"),
                                              ("da-DK", "https://dk.trustpilot.com")])
def test_get_review_web_links_on_the_locales_site(client, locale, site):
    review_id = newest(client)[0]["id"]
    body = ok(client.get(f"/v1/reviews/{review_id}/web-links", query_string={"locale": locale}, headers=KEY,
                         base_url="http://sandbox.test"))
    normalised = f"{locale[:2].lower()}-{locale[3:].upper()}"
    assert body == {"links": [{"href": f"http://sandbox.test/v1/reviews/{review_id}/web-links?locale={normalised}",
                               "method": "GET", "rel": "self"}],
                    "locale": normalised, "reviewUrl": f"{site}/reviews/{review_id}"}


def test_get_review_web_links_needs_a_locale(client):
    review_id = newest(client)[0]["id"]
    assert service_error(client.get(f"/v1/reviews/{review_id}/web-links", headers=KEY), 400) == (
        1001, "query parameter 'locale' is required")
    assert service_error(client.get(f"/v1/reviews/{review_id}/web-links?locale=english", headers=KEY), 400) == (
        1001, "query parameter 'locale' must be a locale like 'en-US' or 'da-DK', got 'english'")


# -- list_latest_reviews ---------------------------------------------------------------------
def test_list_latest_reviews_newest_first_in_the_language(client):
    body = ok(client.get("/v1/reviews/latest", query_string={"language": "da", "count": 5}, headers=KEY))
    reviews = body["reviews"]
    assert len(reviews) == 5 and {r["language"] for r in reviews} == {"da"}
    dates = [r["createdAt"] for r in reviews]
    assert dates == sorted(dates, reverse=True)
    # No unit has a Danish review newer than the world's newest.
    assert dates[0] >= newest(client, language="da", perPage=1)[0]["createdAt"]
    assert all(r["reportData"] is None for r in reviews)


def test_list_latest_reviews_all_languages_and_default_count(client):
    reviews = ok(client.get("/v1/reviews/latest?language=all", headers=KEY))["reviews"]
    assert len(reviews) == 20 and len({r["language"] for r in reviews}) > 1


def test_list_latest_reviews_users_with_images_only_is_empty(client):
    body = ok(client.get("/v1/reviews/latest?language=en&filterUsersWithoutImages=true", headers=KEY))
    assert body == {"reviews": []}


@pytest.mark.parametrize(("query", "problem"), [
    ({}, "query parameter 'language' is required (an ISO 639-1 code like 'en', or 'all')"),
    ({"language": "english"}, "query parameter 'language' takes ISO 639-1 codes like 'en', got 'english'"),
    ({"language": "en", "count": "0"}, "query parameter 'count' must be between 1 and 100, got 0"),
    ({"language": "en", "locale": "uk"}, "query parameter 'locale' must be a locale like 'en-US' or 'da-DK', got 'uk'"),
])
def test_list_latest_reviews_bad_parameters_are_400(client, query, problem):
    assert service_error(client.get("/v1/reviews/latest", query_string=query, headers=KEY), 400) == (1001, problem)


# -- shared: unknown ids, credentials -----------------------------------------------------------
@pytest.mark.parametrize("path", ["likes", "web-links?locale=en-US"])
def test_review_routes_unknown_id_is_404(client, path):
    assert service_error(client.get(f"/v1/reviews/{'0' * 24}/{path}", headers=KEY), 404) == (
        1004, f"no review has the id '{'0' * 24}'")


@pytest.mark.parametrize("path", [f"/v1/reviews/{'0' * 24}/likes", f"/v1/reviews/{'0' * 24}/web-links?locale=en-US",
                                  "/v1/reviews/latest?language=en"])
def test_review_routes_without_apikey_are_401(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json()["fault"]["faultstring"] == "Failed to resolve API Key variable request.header.apikey"
