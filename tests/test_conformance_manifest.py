"""The partner manifest: the reference one is valid; a broken one gets file:line: field messages."""

import pytest

from conformance import cli, manifest

from kit_helpers import REFERENCE
MINIMAL = """manifest: 1
integration:
  name: Tiny
  useCases: [showcase]
  redirectUri: https://tiny.example/callback
  support: {documentationUrl: https://tiny.example/docs, contact: help@tiny.example}
  testAccount: {url: https://tiny.example/login, username: reviewer@tiny.example}
triggers:
  onboard: {run: "./tiny onboard {domain}"}
  consent: {run: "./tiny consent-url {business_unit_id}"}
  showcase: {run: "./tiny showcase {business_unit_id}"}
environment:
  apiBaseUrl: API
  authenticateUrl: AUTH
  partnerId: PARTNER
  apiKey: KEY
  apiSecret: SECRET
  username: USER
  password: PASS
"""


def problems(text):
    with pytest.raises(manifest.ManifestError) as caught:
        manifest.parse(text, "m.yaml")
    return str(caught.value)


def test_load_reference_manifest():
    loaded = manifest.load(REFERENCE)
    assert loaded.name == "Reference Integration"
    assert loaded.use_cases == ["invite", "showcase", "reply", "ingestion"]
    assert loaded.trigger("consent")["url"].endswith("/trustpilot/connect?businessUnitId={business_unit_id}")
    assert loaded.folder == REFERENCE.parent


def test_parse_minimal_manifest_without_service():
    data = manifest.parse(MINIMAL, "m.yaml")
    assert data["triggers"]["showcase"] == {"run": "./tiny showcase {business_unit_id}"}


def test_parse_unknown_use_case_names_line_and_field():
    text = MINIMAL.replace("useCases: [showcase]", "useCases: [showcase, dance]")
    assert problems(text) == "m.yaml:4: integration.useCases[1]: 'dance' is not one of: invite, showcase, reply, ingestion"


def test_parse_trigger_with_run_and_url_says_choose_one():
    text = MINIMAL.replace('showcase: {run: "./tiny showcase {business_unit_id}"}',
                           "showcase: {run: ./tiny, url: 'http://x.example/'}")
    assert problems(text) == ("m.yaml:11: triggers.showcase: give either 'run' (a shell command) or 'url' "
                              "(an HTTP request), not both")


def test_parse_claimed_use_case_without_trigger():
    text = MINIMAL.replace("useCases: [showcase]", "useCases: [showcase, reply]")
    assert problems(text) == ("m.yaml:4: integration.useCases[1]: the integration claims 'reply' but triggers has "
                              "no 'reply' entry telling the kit how to run it")


def test_parse_port_placeholder_without_service():
    text = MINIMAL.replace("https://tiny.example/callback", "http://127.0.0.1:{port}/callback")
    assert problems(text) == "m.yaml:5: integration.redirectUri: uses {port} but the manifest starts no service"


def test_parse_missing_environment_variable_name():
    text = MINIMAL.replace("  apiSecret: SECRET\n", "")
    assert problems(text) == 'm.yaml:13: environment: "apiSecret" is a required property'


def test_parse_invalid_yaml_names_line_and_column():
    assert problems("manifest: 1\nintegration: [\n") .startswith("m.yaml:3:1: not valid YAML:")


def test_load_missing_file_says_cannot_read(tmp_path):
    with pytest.raises(manifest.ManifestError, match=r"nope\.yaml: cannot read the manifest"):
        manifest.load(tmp_path / "nope.yaml")


def test_cli_validate_exit_status_and_message(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("name: Tiny", "name: ''"))
    assert cli.main(["validate", str(bad)]) == 2
    assert f"{bad}:3: integration.name:" in capsys.readouterr().err
    assert cli.main(["validate", str(REFERENCE)]) == 0
    assert "valid manifest for 'Reference Integration'" in capsys.readouterr().out


def test_cli_run_unknown_check_id_exits_2(capsys):
    assert cli.main(["run", "--manifest", str(REFERENCE), "--only", "consent.nope"]) == 2
    err = capsys.readouterr().err
    assert "no check is called 'consent.nope'" in err and "consent.state" in err


def test_parse_misspelt_placeholder_is_named():
    text = MINIMAL.replace("showcase {business_unit_id}", "showcase {buisness_unit_id} ${HOME}")
    message = problems(text)
    assert message.startswith("m.yaml:11: triggers.showcase.run: unknown placeholder(s) {buisness_unit_id}; "
                              "the kit fills {python}, {port}")
    assert "HOME" not in message


def test_load_missing_working_directory(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MINIMAL + "service: {command: ./serve, readyUrl: 'http://127.0.0.1:1/', workingDirectory: app}\n")
    with pytest.raises(manifest.ManifestError, match=r"service\.workingDirectory: .*/app is not a directory"):
        manifest.load(path)


def test_parse_environment_values_may_use_service_placeholders_only():
    text = MINIMAL + "  settings: {DATA_FILE: \"{data_dir}/x.json\", WHO: \"{domain}\"}\n"
    assert problems(text) == ("m.yaml:20: environment.settings.WHO: unknown placeholder(s) {domain}; the kit fills "
                              "{python}, {port}, {data_dir}, {redirect_uri}, {service_url} here")


def test_parse_same_variable_as_setting_and_secret_is_refused():
    text = MINIMAL + "  settings: {HEADER: x-partner-id}\n  secrets: {HEADER: s3cret-value}\n"
    assert "environment: HEADER is set in more than one of extra, settings and secrets" in problems(text)


def test_parse_port_placeholder_in_environment_without_service():
    text = MINIMAL + "  settings: {CALLBACK: \"{service_url}/cb\"}\n"
    assert "environment.settings.CALLBACK: uses {port}, which only exists when a service is started" in problems(text)


def test_manifest_1_without_the_new_fields_still_loads_as_before():
    data = manifest.parse(MINIMAL, "m.yaml")
    loaded = manifest.Manifest(REFERENCE, data)
    assert loaded.results_probe is None and loaded.fixed_variables() == {}


def test_parse_results_probe_is_a_trigger_with_known_placeholders():
    data = manifest.parse(MINIMAL + "results: {run: \"./tiny ingested {business_unit_id}\"}\n", "m.yaml")
    assert data["results"] == {"run": "./tiny ingested {business_unit_id}"}
    assert "results.run: unknown placeholder(s) {buid}" in problems(MINIMAL + "results: {run: \"./tiny {buid}\"}\n")
