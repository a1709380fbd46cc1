"""Bounded scenarios: alias bombs, runaway sizes, duplicate keys, dangling references and
non-UTF-8 files are refused with the file, the line and what to do."""

import subprocess
import sys

import pytest

from mock_server import scenario
from mock_server.state.errors import InvalidScenario

UNIT = """\
name: small
businessUnits:
  - id: aaaaaaaaaaaaaaaaaaaaaaaa
    domain: small.example
    plan: standard
"""
# 450 bytes that YAML expands to 9**9 (387 million) strings.
BOMB = "name: bomb\n" + "a: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
    f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n" for prev, cur in zip("abcdefgh", "bcdefghi"))


def problems(text, limits=None):
    with pytest.raises(InvalidScenario) as info:
        scenario.parse(text, "world.yaml", limits)
    return info.value.details


def test_alias_bomb_is_refused_with_file_and_line():
    assert problems(BOMB) == (
        "world.yaml:7: YAML aliases expand this document past 100,000 more nodes than it holds (an alias bomb?); "
        "write the data out or use fewer aliases")


def test_alias_bomb_posted_to_the_control_plane_is_a_400(client):
    response = client.post("/_mock/scenario", data=BOMB, content_type="application/yaml")
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == 1201
    assert response.get_json()["details"].startswith("<request body>:7: YAML aliases expand this document")


def test_a_few_aliases_are_still_fine():
    text = UNIT + "    locations: &few [{name: A}, {name: B}]\n  - id: bbbbbbbbbbbbbbbbbbbbbbbb\n" \
                  "    domain: other.example\n    plan: free\n    locations: *few\n"
    assert len(scenario.parse(text, "world.yaml")["businessUnits"][1]["locations"]) == 2


def test_generated_sizes_past_the_cap_name_the_field_and_the_limit():
    text = "name: big\ngeneratedBusinessUnits: {generate: 100000, reviewsPerUnit: 100000}\n"
    assert problems(text) == (
        "world.yaml:2: generatedBusinessUnits.reviewsPerUnit: the world would hold 10,000,000,000 reviews, over "
        "the limit of 2,000,000 (a cap against runaway sizes); for a bigger world on purpose, raise it: "
        "--limit reviews=10000000000 or TRUSTPILOT_MOCK_LIMITS=reviews=10000000000")


def test_reviews_past_the_cap_name_the_unit_field():
    assert problems(UNIT + "    reviews: {generate: 5000000}\n").startswith(
        "world.yaml:6: businessUnits[0].reviews.generate: the world would hold 5,000,000 reviews, over the limit "
        "of 2,000,000")


def test_a_million_reviews_stay_allowed_by_default():
    data = scenario.parse(UNIT + "    reviews: {generate: 1000000}\n", "world.yaml")
    assert data["businessUnits"][0]["reviews"] == {"generate": 1000000}


def test_a_raised_limit_allows_a_bigger_world():
    data = scenario.parse(UNIT + "    reviews: {generate: 5000000}\n", "world.yaml",
                          {**scenario.scenario_limits.DEFAULT_LIMITS, "reviews": 5_000_000})
    assert data["businessUnits"][0]["reviews"] == {"generate": 5000000}


def test_the_limit_flag_raises_the_cap_for_scenario_validate(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(UNIT + "    reviews: {generate: 5000000}\n", encoding="utf-8")
    command = [sys.executable, "-m", "mock_server.cli", "scenario", "validate", str(path)]
    refused = subprocess.run(command, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "over the limit of 2,000,000" in refused.stderr and "--limit reviews=5000000" in refused.stderr
    allowed = subprocess.run(command + ["--limit", "reviews=5000000"], capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr
    assert "valid scenario 'small'" in allowed.stdout


def test_duplicate_key_names_both_lines():
    assert problems(UNIT + "    plan: free\n") == (
        "world.yaml:6:5: not valid YAML: duplicate key 'plan': given at line 5 and again at line 6 of the same mapping")


def test_webhook_naming_no_business_unit_is_refused():
    text = UNIT + "webhooks:\n  - url: https://hooks.example/in\n    businessUnitIds: [bbbbbbbbbbbbbbbbbbbbbbbb]\n"
    assert problems(text) == ("world.yaml:8: webhooks[0].businessUnitIds[0]: 'bbbbbbbbbbbbbbbbbbbbbbbb' is not the id "
                              "of a business unit of this world")


def test_fault_rule_naming_an_unknown_apikey_is_refused():
    text = UNIT + "faults:\n  - credentials: {apikey: nobody-key}\n    response: {preset: rateLimited}\n"
    assert problems(text).startswith(
        "world.yaml:7: faults[0].credentials.apikey: 'nobody-key' is not the apiKey of a partner or application")


def test_latin1_file_is_refused_with_line_and_column(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(UNIT.replace("small.example", "caf\xe9.example").encode("latin-1"))
    with pytest.raises(InvalidScenario) as info:
        scenario.load_file(path)
    assert info.value.details == (
        f"{path}:4:16: the file is not UTF-8 (byte 0xe9 is not valid there; Latin-1 or Windows-1252 text looks "
        "like this); save it as UTF-8")


def test_utf16_file_is_refused_naming_the_encoding(tmp_path):
    path = tmp_path / "wide.yaml"
    path.write_bytes(UNIT.encode("utf-16"))
    with pytest.raises(InvalidScenario) as info:
        scenario.load_file(path)
    assert info.value.details == (
        f"{path}:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8")


def test_latin1_scenario_posted_to_the_control_plane_is_a_400(client):
    response = client.post("/_mock/scenario", data="name: caf\xe9\n".encode("latin-1"), content_type="application/yaml")
    assert response.status_code == 400
    assert response.get_json()["details"].startswith("<request body>:1:10: the file is not UTF-8 (byte 0xe9")


def test_huge_integer_in_a_scenario_is_a_400_naming_the_line(client):
    response = client.post("/_mock/scenario", data="name: x\nseed: " + "9" * 5000 + "\n",
                           content_type="application/yaml")
    assert response.status_code == 400
    assert response.get_json()["details"].startswith("<request body>:2:7: not valid YAML: the number 9999")
