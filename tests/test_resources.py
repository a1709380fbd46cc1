"""The Resources API, a business unit's images, and the images the sandbox draws (in-process)."""

import struct
import zlib

import pytest

from helpers import DEMO_BU, NOLOCATIONS_BU, ok, service_error

KEY = {"apikey": "demo-partner-key"}
GREEN, GREY = bytes((0x00, 0xB6, 0x7A)), bytes((0xDC, 0xDC, 0xE6))


def png_pixels(data):
    """(width, height, rows of RGB bytes) of an 8-bit RGB PNG without filters, read by hand."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = chunks.get(kind, b"") + body
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2) and b"IEND" in chunks
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 3 * width
    assert len(raw) == stride * height
    return width, height, [raw[row * stride + 1:(row + 1) * stride] for row in range(height)]


def fetch_image(client, url):
    path = url.removeprefix("http://sandbox.test")
    assert path.startswith("/_images/"), url  # the sandbox's own, never the internet
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


# -- get_star_images -------------------------------------------------------------------------
def test_get_star_images_needs_no_credentials_and_links_to_the_sandbox(client):
    body = ok(client.get("/v1/resources/images/stars/4.5", base_url="http://sandbox.test"))
    assert body["stars"] == 4.5
    assert [(k, v["width"], v["height"]) for k, v in body.items() if k != "stars"] == [
        ("star128x24", 128, 24), ("star256x48", 256, 48), ("star512x96", 512, 96), ("starSvg", 120, 24)]
    width, height, rows = png_pixels(fetch_image(client, body["star128x24"]["url"]).data)
    assert (width, height) == (128, 24)
    filled = round(128 * 4.5 / 5)
    assert rows[0] == GREEN * filled + GREY * (128 - filled) and len(set(rows)) == 1
    svg = fetch_image(client, body["starSvg"]["url"])
    assert svg.mimetype == "image/svg+xml" and b'<title>4.5 stars</title>' in svg.data


@pytest.mark.parametrize("stars", ["6", "4.0", "-1", "x"])
def test_get_star_images_other_values_are_400(client, stars):
    assert service_error(client.get(f"/v1/resources/images/stars/{stars}"), 400) == (
        1001, f"stars must be one of 0, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, got '{stars}'")


# -- get_star_string -------------------------------------------------------------------------
@pytest.mark.parametrize(("stars", "word", "number"), [("0", "Not rated", 0), ("1", "Bad", 1), ("2", "Poor", 2),
                                                       ("3", "Average", 3), ("3.5", "Average", 3.5),
                                                       ("4", "Great", 4), ("4.5", "Excellent", 4.5),
                                                       ("5", "Excellent", 5)])
def test_get_star_string_words(client, stars, word, number):
    assert ok(client.get(f"/v1/resources/strings/stars/{stars}")) == {"locale": "en-US", "stars": number,
                                                                       "string": word}


def test_get_star_string_keeps_the_locale_and_checks_it(client):
    assert ok(client.get("/v1/resources/strings/stars/4?locale=da-DK"))["locale"] == "da-DK"
    assert service_error(client.get("/v1/resources/strings/stars/4?locale=danish"), 400) == (
        1001, "query parameter 'locale' must be a locale like 'en-US' or 'da-DK', got 'danish'")


# -- list_locales, list_countries --------------------------------------------------------------
def test_list_locales_with_the_default(client):
    body = ok(client.get("/v1/resources/metadata/locales"))
    by_code = {entry["locale"]: entry for entry in body["locales"]}
    assert body["defaultLocale"] == by_code["en-US"]
    assert (by_code["da-DK"]["language"], by_code["da-DK"]["region"], by_code["da-DK"]["nativeName"],
            by_code["da-DK"]["consumerWebApp"]) == ("da", "DK", "Dansk", "https://dk.trustpilot.com/")
    assert by_code["en-GB"]["consumerWebApp"] == "https://uk.trustpilot.com/"
    assert service_error(client.get("/v1/resources/metadata/locales?translationLocale=xx"), 400)[0] == 1001


def test_list_countries_with_ids_and_locales(client):
    countries = ok(client.get("/v1/resources/metadata/countries?locale=en-US"))["countries"]
    assert countries[0] == {"countryId": "1", "country": "DK", "englishName": "Denmark", "locale": "da-DK",
                            "translatedName": "Denmark"}
    codes = [c["country"] for c in countries]
    assert len(codes) == len(set(codes)) and {"GB", "US", "DE", "SE", "NL", "IT", "ES"} <= set(codes)
    locales = {entry["locale"] for entry in ok(client.get("/v1/resources/metadata/locales"))["locales"]}
    assert {c["locale"] for c in countries} <= locales


# -- get_business_unit_images, get_business_unit_logo ----------------------------------------
def test_get_business_unit_images_links_its_logo(client):
    body = ok(client.get(f"/v1/business-units/{DEMO_BU}/images", headers=KEY, base_url="http://sandbox.test"))
    assert body["links"] == [{"href": f"http://sandbox.test/v1/business-units/{DEMO_BU}/images/logo",
                              "method": "GET", "rel": "business-units-images-logo"}]
    logo = ok(client.get(body["links"][0]["href"].removeprefix("http://sandbox.test"), headers=KEY,
                         base_url="http://sandbox.test"))
    assert body["logo"] == logo and sorted(logo) == ["image100x100", "image200x200", "image400x400"]
    width, height, rows = png_pixels(fetch_image(client, logo["image200x200"]["url"]).data)
    assert (width, height) == (200, 200) and len(set(rows)) == 1


def test_business_unit_logos_differ_between_units(client):
    first = ok(client.get(f"/v1/business-units/{DEMO_BU}/images/logo", headers=KEY))["image100x100"]["url"]
    second = ok(client.get(f"/v1/business-units/{NOLOCATIONS_BU}/images/logo", headers=KEY))["image100x100"]["url"]
    pixels = [png_pixels(fetch_image(client, url.removeprefix("http://localhost")).data)[2][0][:3]
              for url in (first, second)]
    assert pixels[0] != pixels[1]


def test_get_business_unit_logo_of_a_location(client):
    location = ok(client.get(f"/v1/business-units/{DEMO_BU}/locations?perPage=1", headers=KEY))["locations"][0]
    logo = ok(client.get(f"/v1/business-units/{DEMO_BU}/images/logo", query_string={"locationId": location["id"]},
                         headers=KEY))
    assert logo == ok(client.get(f"/v1/business-units/{DEMO_BU}/images/logo", headers=KEY))
    assert service_error(client.get(f"/v1/business-units/{DEMO_BU}/images/logo?locationId=nowhere", headers=KEY),
                         404) == (1004, f"business unit {DEMO_BU} has no location with the id 'nowhere'")


@pytest.mark.parametrize("path", ["images", "images/logo"])
def test_business_unit_images_unknown_unit_is_404(client, path):
    assert service_error(client.get(f"/v1/business-units/{'0' * 24}/{path}", headers=KEY), 404) == (
        1004, f"no business unit has the id '{'0' * 24}'")


@pytest.mark.parametrize("path", ["images", "images/logo"])
def test_business_unit_images_without_apikey_are_401(client, path):
    response = client.get(f"/v1/business-units/{DEMO_BU}/{path}")
    assert response.status_code == 401
    assert response.get_json()["fault"]["faultstring"] == "Failed to resolve API Key variable request.header.apikey"


# -- get_image ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["stars-4.5-4096x4096.png", "stars-7-128x24.png", "logo-507f191e810c19729de860ea"
                                  "-9x9.png", "../../etc/passwd", "anything.png"])
def test_get_image_only_names_the_api_hands_out(client, name):
    response = client.get(f"/_images/{name}")
    assert response.status_code == 404
    assert response.get_json()["errorCode"] == 1004


def test_get_image_logo_of_an_unknown_unit_is_404(client):
    assert service_error(client.get(f"/_images/logo-{'0' * 24}-100x100.png"), 404) == (
        1004, f"no business unit has the id '{'0' * 24}'")
