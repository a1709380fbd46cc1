"""The contract: openapi/*.yaml are valid, name every route, are served as stored, and the
emulator passes schemathesis (every check, positive and negative data) against them."""

import base64
import os
from pathlib import Path

import pytest
import schemathesis
import yaml
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig

from mock_server import create_app

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "openapi"
DOCUMENTS = ("trustpilot.yaml", "control.yaml")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PARTNER_KEY, PARTNER_SECRET = "demo-partner-key", "demo-partner-secret"
PARTNER_USER, PARTNER_PASSWORD = "partner@demo-partner.test", "partner-password"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
# Examples per operation and phase; raise it for a deeper search: CONTRACT_MAX_EXAMPLES=1000 pytest ...
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", 100))


def load(name):
    return yaml.safe_load((OPENAPI / name).read_text(encoding="utf-8"))


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


# -- the documents -------------------------------------------------------------------------
@pytest.mark.parametrize("name", DOCUMENTS)
def test_openapi_document_is_valid_openapi_3_1(name):
    document = load(name)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_has_an_operation_named_after_its_view():
    app = create_app()
    views = {app.view_functions[rule.endpoint].__name__: rule.rule
             for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    operation_ids = [op["operationId"] for name in DOCUMENTS for _, _, op in operations(load(name))]
    assert len(operation_ids) == len(set(operation_ids)), "an operationId is used twice"
    assert sorted(operation_ids) == sorted(views), (
        f"routes without an operation: {sorted(set(views) - set(operation_ids))}; "
        f"operations without a route: {sorted(set(operation_ids) - set(views))}")


def test_every_operation_is_on_the_path_and_method_of_its_route():
    app = create_app()
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            routes[app.view_functions[rule.endpoint].__name__] = (_path_shape(rule.rule), rule.methods - {"HEAD", "OPTIONS"})
    for name in DOCUMENTS:
        for path, method, op in operations(load(name)):
            assert (_path_shape(path), {method.upper()}) == routes[op["operationId"]], op["operationId"]


def _path_shape(path):
    """'/v1/business-units/<business_unit_id>' and '/v1/business-units/{businessUnitId}' -> '/v1/business-units/*'."""
    return "/".join("*" if part[:1] in "<{" and part else part for part in path.split("/"))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_get_openapi_document_serves_the_stored_file(name):
    response = create_app().test_client().get(f"/_mock/openapi/{name}")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.get_data() == (OPENAPI / name).read_bytes()


def test_get_openapi_document_unknown_name():
    response = create_app().test_client().get("/_mock/openapi/nope.yaml")
    assert response.status_code == 404
    body = response.get_json()
    assert body["errorCode"] == 1004
    assert "trustpilot.yaml and control.yaml" in body["details"]


# -- schemathesis --------------------------------------------------------------------------
def partner_token(app):
    """A partner access token (password grant, Basic auth), as a partner integration gets one."""
    basic = base64.b64encode(f"{PARTNER_KEY}:{PARTNER_SECRET}".encode()).decode()
    response = app.test_client().post(TOKEN_PATH, headers={"Authorization": f"Basic {basic}"},
                                      data={"grant_type": "password", "username": PARTNER_USER,
                                            "password": PARTNER_PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


# Operations where well-formed input is refused with 400 by design, because which values exist
# is data, not schema: positive data may get 400 there (every other check stays as it is).
ACCEPT_OR_400 = ["2xx", "3xx", "400", "401", "403", "404"]
OPERATION_CHECKS = [
    # A username/password, code or refresh token that does not exist: invalid_grant (RFC 6749 5.2).
    ("create_access_token", ACCEPT_OR_400),
    ("refresh_access_token", ACCEPT_OR_400),
    # An unknown client_id or a redirect_uri off the allow-list cannot start a sign-in: the page
    # says why and never redirects (RFC 6749 4.1.2.1).
    ("show_login_page", ACCEPT_OR_400),
    ("submit_login", ACCEPT_OR_400),
    ("get_index", ACCEPT_OR_400),
    # A world's own rules (unique ids and domains, references) are in scenarios/schema.json and
    # the loader; control.yaml describes only the scenario's top level.
    ("load_scenario", ACCEPT_OR_400),
    # Its optional scenario: the same rule as load_scenario; and a name already taken is a 409.
    ("create_sandbox", ACCEPT_OR_400 + ["409"]),
    # startDateTime/endDateTime: a pattern cannot rule out days such as 2023-02-30, which the
    # emulator refuses with a 400 naming the parameter.
    ("list_private_business_unit_reviews", ACCEPT_OR_400),
    # 'cursor' and 'page' are each valid but not together (OpenAPI cannot say "not both").
    ("list_all_business_units", ACCEPT_OR_400),
    # 'sku' and 'productUrl' are each optional but one of them is needed (OpenAPI cannot say "one of").
    ("list_product_reviews", ACCEPT_OR_400),
    # A well-formed createdAt may lie after the sandbox's now, a locationId may not be one of the
    # unit's locations: which values exist is data.
    ("write_consumer_review", ACCEPT_OR_400),
    # A templateId or locationId may not be the unit's, a well-formed date may not exist
    # (02/31/2030), and a product send time may precede the service one: data, not schema.
    ("create_email_invitation", ACCEPT_OR_400),
    ("create_invitation_link", ACCEPT_OR_400),
    ("delete_invitation_data", ACCEPT_OR_400),
]


def schemathesis_config(token=None):
    """Every check, positive and negative data; the default world's partner credentials."""
    auth = {"auth": {"openapi": {
        "apikeyHeader": {"api_key": PARTNER_KEY},
        "apikeyQuery": {"api_key": PARTNER_KEY},
        "bearer": {"bearer": token},
        "basic": {"username": PARTNER_KEY, "password": PARTNER_SECRET},
    }}} if token else {}
    return SchemathesisConfig.from_dict({
        # Deterministic, so a CI run is reproducible; CONTRACT_RANDOM=1 explores afresh each run.
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all",
                       "deterministic": not os.environ.get("CONTRACT_RANDOM")},
        "checks": {"enabled": True},
        **auth,
        "operations": [
            {"include-operation-id": operation,
             "checks": {"positive_data_acceptance": {"expected-statuses": statuses}}}
            for operation, statuses in OPERATION_CHECKS
        ],
    })


def contract_schema(name, authenticated):
    """The stored document, run against its own fresh in-process app (control ops reset worlds)."""
    app = create_app()
    config = schemathesis_config(partner_token(app) if authenticated else None)
    schema = schemathesis.openapi.from_path(OPENAPI / name, config=config)
    schema.app = app
    return schema


trustpilot_schema = contract_schema("trustpilot.yaml", authenticated=True)
control_schema = contract_schema("control.yaml", authenticated=False)


@trustpilot_schema.parametrize()
def test_trustpilot_api_conforms_to_its_contract(case):
    case.call_and_validate()


@control_schema.parametrize()
def test_control_plane_conforms_to_its_contract(case):
    case.call_and_validate()
