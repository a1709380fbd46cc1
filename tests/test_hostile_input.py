"""Hostile request bodies (deep nesting, lone surrogates, huge numbers, wrong types and media
types, huge bodies) get a clear 4xx on every route, control plane included, never a 5xx."""

import json
import re

import hypothesis
import pytest
from helpers import DEMO_BU, PARTNER, basic, customer_headers
from hypothesis import strategies as st

from mock_server import create_app

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
FIELDS = ("message", "tags", "skus", "seconds", "hours", "plan", "partnerPermissions", "name", "scenario",
          "consumerEmail", "consumerName", "referenceNumber", "locale", "templateId", "redirectUri", "emails",
          "stars", "title", "text", "match", "response", "status", "times", "requestsPerSecond", "settings",
          "requestValidation", "serviceReviewInvitation", "customerEmails", "id", "sku", "value", "group")
MAX_DEPTH = 64  # mock_server.json_input.MAX_DEPTH
MEDIA_TYPES = ("application/json", "application/json; charset=utf-8", "text/plain",
               "application/x-www-form-urlencoded", "application/yaml", "application/octet-stream", None)


@pytest.fixture(scope="module")
def world():
    """One app for the whole module (hypothesis examples share it); the routes to hit, with
    their path parameters filled in from the default world so that views get past lookups."""
    app = create_app()
    client = app.test_client()
    review = client.get(f"/v1/business-units/{DEMO_BU}/reviews", headers={"apikey": PARTNER[0]}).get_json()
    values = {"business_unit_id": DEMO_BU, "review_id": review["reviews"][0]["id"], "partner_id": "x",
              "name": "default", "rule_id": "x", "delivery_id": "x", "invitation_id": "x", "filename": "x"}
    routes = sorted({(method, ARGUMENT.sub(lambda m: values[m.group(1)], rule.rule))
                     for rule in app.url_map.iter_rules() for method in rule.methods if method in WRITE_METHODS})
    headers = [{}, {**customer_headers(client), "apikey": PARTNER[0]}, basic(*PARTNER)]
    return client, routes, headers


def _deep(depth):
    return "[" * depth + "]" * depth


def test_json_body_nested_too_deeply_is_a_400(world):
    client, _, _ = world
    response = client.post("/_mock/clock/advance", data='{"seconds": ' + _deep(100_000) + "}",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == 1001
    assert response.get_json()["details"] == (
        f"the body is nested too deeply (at most {MAX_DEPTH} levels of arrays and objects)")


def test_json_body_nested_past_the_limit_names_where(world):
    client, _, _ = world
    response = client.patch("/_mock/settings", data='{"a": ' + _deep(MAX_DEPTH) + "}", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["details"].startswith("the body is nested too deeply at /a/0/0/")


def test_json_body_with_a_lone_surrogate_is_a_400(world):
    client, _, headers = world
    response = client.post(f"/v1/private/business-units/{DEMO_BU}/email-invitations", headers=headers[1],
                           data='{"consumerEmail": "\\ud800"}', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["details"] == (
        "the body holds a lone UTF-16 surrogate (\\ud800) at /consumerEmail; it is not valid Unicode")


def test_json_body_with_a_lone_surrogate_in_a_key_is_a_400_on_the_control_plane(world):
    client, _, _ = world
    response = client.patch("/_mock/settings", data='{"\\udfff": 1}', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["details"] == (
        "the body holds a lone UTF-16 surrogate (\\udfff) at /; it is not valid Unicode")


@pytest.mark.parametrize("number, shown", [("9" * 5000, "the number 99999999999999999999... (5000 characters)"),
                                           ("1e400", "the number 1e400")])
def test_json_body_with_an_out_of_range_number_is_a_400(world, number, shown):
    client, _, _ = world
    response = client.post("/_mock/clock/advance", data='{"seconds": %s}' % number, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["details"].startswith(shown + " in the body is out of range")


def test_json_body_that_is_not_utf8_is_a_400(world):
    client, _, _ = world
    response = client.patch("/_mock/settings", data=b'{"a": "\xff"}', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["details"] == "the body is not valid UTF-8 (byte 7); JSON must be sent as UTF-8"


def test_a_body_past_the_size_limit_is_a_413(world):
    client, _, _ = world
    app = client.application
    response = client.post("/_mock/scenario", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                           content_type="application/yaml")
    assert response.status_code == 413
    assert response.get_json()["errorCode"] == 1013
    assert response.get_json()["details"] == f"the request body is too large (at most {app.config['MAX_CONTENT_LENGTH']} bytes)"


# -- the property: whatever the body, no 5xx ------------------------------------------------
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10 ** 40), max_value=10 ** 40),
    st.sampled_from([2 ** 63, -(2 ** 63) - 1, 2 ** 64, 10 ** 400, -(10 ** 999)]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr), st.text(max_size=20),
    st.sampled_from(["\\ud800", "\\udfff", "a\\ud83d", "\\u0000", "1e999", "-1e999", "NaN", "Infinity", "9" * 400]),
)


def _json_text(value):
    """Hostile values as JSON text: sampled raw fragments (escapes, bad numbers) are spliced in
    unquoted or quoted, so the body carries what json.dumps would never write."""
    if isinstance(value, list):
        return "[" + ",".join(_json_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f'"{k}":{_json_text(v)}' for k, v in value.items()) + "}"
    if isinstance(value, str) and value.startswith("\\u"):
        return f'"{value}"'
    if isinstance(value, str) and value and (value[0].isdigit() or value[0] == "-" or value in ("NaN", "Infinity")):
        return value
    return json.dumps(value)


_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELDS + ("\\ud800",)), inner, max_size=4)),
    max_leaves=12)
_bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), _values, max_size=5).map(_json_text),
    _values.map(_json_text),
    st.integers(min_value=1, max_value=3000).map(lambda n: '{"tags": ' + _deep(n) + "}"),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)


@hypothesis.settings(max_examples=300, deadline=None, derandomize=True,
                     suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture,
                                            hypothesis.HealthCheck.too_slow])
@hypothesis.given(data=st.data())
def test_no_route_answers_hostile_json_with_a_5xx(world, data):
    client, routes, headers = world
    method, path = data.draw(st.sampled_from(routes), label="route")
    body = data.draw(_bodies, label="body")
    media_type = data.draw(st.sampled_from(MEDIA_TYPES), label="content type")
    sent = data.draw(st.sampled_from(headers), label="credentials")
    response = client.open(path, method=method, data=body.encode("utf-8", "surrogatepass"),
                           content_type=media_type, headers=sent)
    if path.startswith("/_mock/faults") or path.startswith("/_mock/rate-ceiling"):
        client.delete("/_mock/faults")  # an injected 5xx is a fault rule doing its job, not a bug
    if path == "/_mock/reset" and response.status_code == 200:  # the customer's token went with the old world
        headers[1] = {**customer_headers(client), "apikey": PARTNER[0]}
    assert response.status_code < 500, (method, path, body[:200], response.get_data(as_text=True)[:500])
