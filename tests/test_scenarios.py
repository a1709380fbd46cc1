"""Scenario files: schema validation with file/line/field, determinism, loading through the control plane."""

import pytest

from mock_server import scenario
from mock_server.state.errors import InvalidScenario

VALID = """\
name: small
seed: 7
partners:
  - id: 11111111-2222-4333-8444-555555555555
    name: P
    apiKey: p-key
    apiSecret: p-secret
businessUnits:
  - id: aaaaaaaaaaaaaaaaaaaaaaaa
    domain: small.example
    plan: standard
    locations: {generate: 3}
    reviews: {generate: 5}
"""


def problems(text):
    with pytest.raises(InvalidScenario) as info:
        scenario.parse(text, "world.yaml")
    return info.value.details


def test_parse_valid_scenario():
    assert scenario.parse(VALID, "world.yaml")["name"] == "small"


def test_default_scenario_is_valid():
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    assert {u["domain"] for u in world["businessUnits"]} == {
        "trustpilotdemo.com", "freeplan.example", "noperms.example", "nolocations.example", "twofactor.example"}


def test_invalid_enum_names_file_line_and_field():
    text = VALID.replace("plan: standard", "plan: gold")
    assert problems(text) == ("world.yaml:11: businessUnits[0].plan: "
                              "'gold' is not one of: free, standard, premium, advanced, enterprise")


def test_missing_required_field_points_at_its_parent():
    text = VALID.replace("    apiSecret: p-secret\n", "")
    assert problems(text) == "world.yaml:4: partners[0]: \"apiSecret\" is a required property"


def test_unknown_field_is_refused():
    text = VALID.replace("    plan: standard\n", "    plan: standard\n    colour: blue\n")
    assert problems(text) == "world.yaml:12: businessUnits[0].colour: unknown field(s) 'colour'"


def test_yaml_syntax_error_names_line_and_column():
    assert problems("name: x\npartners: [\n  - a: 1\n").startswith("world.yaml:3:3: not valid YAML:")


def test_duplicate_ids_are_refused_with_both_places():
    text = VALID + "  - id: aaaaaaaaaaaaaaaaaaaaaaaa\n    domain: other.example\n    plan: free\n"
    assert problems(text) == ("world.yaml:14: businessUnits[1].id: duplicate business unit id "
                              "'aaaaaaaaaaaaaaaaaaaaaaaa' (first used at businessUnits[0].id)")


def test_review_location_must_exist():
    text = VALID.replace("    reviews: {generate: 5}\n",
                         "    reviews:\n      - stars: 4\n        locationId: 9b2f8a1e-1111-4222-8333-444455556666\n")
    assert problems(text) == ("world.yaml:15: businessUnits[0].reviews[0].locationId: "
                              "'9b2f8a1e-1111-4222-8333-444455556666' is not the id of a location of this business unit")


def test_not_a_mapping():
    assert problems("- just\n- a list\n") == "world.yaml:1: the scenario must be a mapping (name, partners, businessUnits, ...)"


def test_same_seed_loads_the_same_world(client):
    client.post("/_mock/scenario", data=VALID, content_type="application/yaml")
    first = client.get("/v1/business-units/aaaaaaaaaaaaaaaaaaaaaaaa/locations", headers={"apikey": "p-key"}).get_json()
    client.post("/_mock/reset")
    second = client.get("/v1/business-units/aaaaaaaaaaaaaaaaaaaaaaaa/locations", headers={"apikey": "p-key"}).get_json()
    assert first == second and len(first["locations"]) == 3


def test_load_scenario_yaml_replaces_the_world(client):
    response = client.post("/_mock/scenario", data=VALID, content_type="application/yaml")
    assert response.status_code == 200 and response.get_json()["scenario"] == "small"
    gone = client.get("/v1/business-units/find?name=trustpilotdemo.com", headers={"apikey": "p-key"})
    assert gone.status_code == 404


def test_load_invalid_scenario_leaves_world_untouched(client):
    response = client.post("/_mock/scenario", data=VALID.replace("plan: standard", "plan: 3"),
                           content_type="application/yaml")
    assert response.status_code == 400
    body = response.get_json()
    assert body["errorCode"] == 1201 and body["message"] == "Invalid scenario"
    assert body["details"].startswith("<request body>:11: businessUnits[0].plan:")
    assert client.get("/_mock/state").get_json()["scenario"] == "default"


def test_load_scenario_wrong_media_type(client):
    response = client.post("/_mock/scenario", data="name: x", content_type="image/png")
    assert response.status_code == 415
    assert "send the scenario as YAML (application/yaml) or JSON" in response.get_json()["details"]


def test_clock_start_from_scenario(client):
    client.post("/_mock/scenario", data=VALID + "clock: {start: '2030-01-02T03:04:05Z'}\n",
                content_type="application/yaml")
    assert client.get("/_mock/clock").get_json()["now"].startswith("2030-01-02T03:04")


def test_generated_business_units_are_deterministic_and_real(client):
    world = VALID + "generatedBusinessUnits: {generate: 30, reviewsPerUnit: 20, locationsPerUnit: 2}\n"
    client.post("/_mock/scenario", data=world, content_type="application/yaml")
    first = client.get("/v1/business-units/find?name=shop-00007.generated.example", headers={"apikey": "p-key"})
    assert first.status_code == 200
    client.post("/_mock/reset")
    again = client.get("/v1/business-units/find?name=shop-00007.generated.example", headers={"apikey": "p-key"})
    assert again.get_json() == first.get_json()
    units = client.get("/_mock/state").get_json()["businessUnits"]
    generated = [u for u in units if u["domain"].endswith(".generated.example")]
    assert len(generated) == 30 and {u["plan"] for u in generated} >= {"standard", "premium"}
    assert sum(u["reviews"] for u in generated) > 0 and all(u["users"] for u in generated)


def test_generated_business_units_bad_spec_names_the_field():
    text = VALID + "generatedBusinessUnits: {generate: -1}\n"
    assert problems(text) == "world.yaml:14: generatedBusinessUnits.generate: -1 is less than the minimum of 0"
