"""The contract: openapi/*.yaml are valid, name every route, are served as stored, and the
emulator passes schemathesis (every check, positive and negative data) against them: as the
partner, as the customer of the default world's business unit, and in call sequences along the
documents' links."""

import base64
import collections
import os
from pathlib import Path

import hypothesis
import pytest
import schemathesis
import yaml
from helpers import DEMO_BU, PARTNER_ID, REDIRECT, basic, bearer, customer_key, login_code
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig

from mock_server import create_app
from mock_server.scenario import DEFAULT_SCENARIO, load_file

# `make test` runs this file in one process, after the rest (which runs under pytest-xdist): the
# last test reads what the customer runs counted in this process, and schemathesis' tests are
# items of their own only outside xdist.
ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "openapi"
DOCUMENTS = ("trustpilot.yaml", "control.yaml")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PARTNER_KEY, PARTNER_SECRET = "demo-partner-key", "demo-partner-secret"
PARTNER_USER, PARTNER_PASSWORD = "partner@demo-partner.test", "partner-password"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
# Examples per operation and phase; raise it for a deeper search: CONTRACT_MAX_EXAMPLES=1000 pytest ...
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", 100))
STATEFUL_SCENARIOS = int(os.environ.get("CONTRACT_STATEFUL_SCENARIOS", 50))


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
    # And the documented 429: schemathesis asks for tokens far more often than tokenRequestsPerMinute.
    ("create_access_token", ACCEPT_OR_400 + ["429"]),
    ("refresh_access_token", ACCEPT_OR_400 + ["429"]),
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
    # startDateTime/endDateTime: the pattern rules out days such as 2023-02-30; the 400 stays
    # for what a pattern cannot see (the emulator's own checks of the range).
    ("list_private_business_unit_reviews", ACCEPT_OR_400),
    # pageToken is opaque: only a token the API gave out is accepted.
    ("list_all_business_unit_reviews", ACCEPT_OR_400),
    # A well-formed authorBusinessUserId may not be a user of the review's business unit.
    ("create_review_reply", ACCEPT_OR_400),
    # 'cursor' and 'page' are each valid but not together: the contract's x-query-rules say so,
    # which schemathesis does not read.
    ("list_all_business_units", ACCEPT_OR_400),
    # 'sku' and 'productUrl' are each optional but one of them is needed (x-query-rules, as above).
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


def schemathesis_config(key=None, secret=None, token=None, operations=(), **extra):
    """Every check, positive and negative data; the given application key and token (if any);
    ``extra`` adds top-level settings (headers, dictionaries, parameters)."""
    auth = {"auth": {"openapi": {
        "apikeyHeader": {"api_key": key},
        "apikeyQuery": {"api_key": key},
        "bearer": {"bearer": token},
        "basic": {"username": key, "password": secret},
    }}} if token else {}
    return SchemathesisConfig.from_dict({
        # Deterministic, so a CI run is reproducible; CONTRACT_RANDOM=1 explores afresh each run.
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all",
                       "deterministic": not os.environ.get("CONTRACT_RANDOM")},
        "checks": {"enabled": True},
        **auth,
        **extra,
        "operations": [
            {"include-operation-id": operation,
             "checks": {"positive_data_acceptance": {"expected-statuses": statuses}}}
            for operation, statuses in OPERATION_CHECKS
        ] + [
            # DELETE .../tags?group=&value= removes one tag, not the list: reading the list
            # afterwards rightly answers 200 with the tags left (schemathesis takes it for a
            # read of a deleted resource).
            {"include-operation-id": "get_review_tags", "checks": {"use_after_free": {"enabled": False}}},
        ] + list(operations),
    })


def contract_schema(name, authenticated):
    """The stored document, run against its own fresh in-process app (control ops reset worlds).
    As the partner, the operations the customer runs also cover get a quarter of the examples:
    the partner's token opens no business unit, so there it reaches only the refusal, and on the
    public operations it makes the same apikey call the customer runs make in full."""
    app = create_app()
    covered = {"include-operation-id": customer_operation_ids(), "generation": {"max-examples": PARTNER_SHARE}}
    config = schemathesis_config(*(PARTNER_KEY, PARTNER_SECRET, partner_token(app)) if authenticated else (),
                                 operations=[covered] if authenticated else ())
    schema = schemathesis.openapi.from_path(OPENAPI / name, config=config)
    schema.app = app
    return schema


# -- as the customer -----------------------------------------------------------------------
# The partner's token opens no business unit, so the run as the partner ends in 403 on every
# private operation of a unit. These runs sign in as the customer of the default world's unit,
# the way a partner integration does, and take path ids mostly from ids that exist, so that
# validation and success paths are reached too.
CUSTOMER_USER = ("admin@trustpilotdemo.com", "customer-password")
CUSTOMER_EXCLUDED_TAGS = ["oauth", "authenticate", "partners", "sandbox"]  # left to the run as the partner
PARTNER_SHARE = max(1, MAX_EXAMPLES // 4)  # examples, as the partner, of an operation the customer runs cover
CUSTOMER_HEADERS = {"x-partner-id": PARTNER_ID}  # required on every call with a partner customer key
SEEDED_TAG = {"group": "contract", "value": "seeded"}  # on every sampled review, so removing a tag can succeed
EXISTING_ID_SHARE = 0.8  # of generated ids and skus; the rest stay random (404s, unknown skus)
# Operations whose reviewId is a service review's, and the one whose reviewId is a product review's.
SERVICE_REVIEW_PATHS = r"^/v1/(private/)?reviews/\{reviewId\}"
PRODUCT_REVIEW_PATHS = r"^/v1/private/product-reviews/\{reviewId\}$"
# Operations on one business unit's data whose success the customer runs must reach.
CUSTOMER_OPERATIONS = (
    "list_private_business_unit_reviews", "get_private_review", "create_review_reply", "delete_review_reply",
    "get_review_tags", "add_review_tags", "set_review_tags", "delete_review_tags",
    "list_private_product_reviews", "get_private_product_review", "list_all_business_unit_reviews",
    "create_email_invitation", "create_invitation_link", "list_invitation_templates", "delete_invitation_data",
)


def customer_operation_ids():
    """The operationIds of trustpilot.yaml that the customer runs test."""
    return sorted(op["operationId"] for _, _, op in operations(load("trustpilot.yaml"))
                  if not set(op.get("tags", [])) & set(CUSTOMER_EXCLUDED_TAGS))


def customer_session(app):
    """(apiKey, apiSecret, token response) of the default world's customer, as a partner
    integration gets them: a key made with the partner's token, a code from the login page, the
    code exchanged with the new key (program page steps 5 and 6)."""
    client = app.test_client()
    key = customer_key(client, partner_token(app))
    code = login_code(client, key["apiKey"], user=CUSTOMER_USER)
    response = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                           data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert response.status_code == 200, response.get_data(as_text=True)
    return key["apiKey"], key["apiSecret"], response.get_json()


def existing_values(app, headers):
    """Values that exist in the default world (ids follow from its seed), read through the API
    (the first page of each list is enough): unit, review and product-review ids, skus, and a tag
    put on each sampled review."""
    client = app.test_client()

    def first_page(path, key):
        response = client.get(path, headers=headers, query_string={"perPage": 10})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()[key]

    reviews = [review["id"] for review in first_page(f"/v1/private/business-units/{DEMO_BU}/reviews", "reviews")]
    for review_id in reviews:
        response = client.put(f"/v1/private/reviews/{review_id}/tags", headers=headers, json={"tags": [SEEDED_TAG]})
        assert response.status_code == 200, response.get_data(as_text=True)
    product_reviews = first_page(f"/v1/private/product-reviews/business-units/{DEMO_BU}/reviews", "productReviews")
    return {
        "businessUnit": [DEMO_BU],
        "review": reviews,
        "productReview": [review["id"] for review in product_reviews],
        "sku": sorted({review["product"]["sku"] for review in product_reviews}),
        "tagGroup": [SEEDED_TAG["group"]],
        "tagValue": [SEEDED_TAG["value"]],
    }


def customer_world(app):
    """Onboard the customer and sample the world: (apiKey, apiSecret, token response, values).
    Ids follow from the world's seed; keys and tokens too, with the snapshot setting (snapshot_world),
    so a reset world gives the same ones."""
    key, secret, token = customer_session(app)
    values = existing_values(app, bearer(token["access_token"], **CUSTOMER_HEADERS))
    values["businessUser"] = [token["app_enduser"]]
    return key, secret, token, values


def snapshot_world():
    """The default world with minted values derived from its seed (the documented, insecure
    snapshot-test setting): the call sequences reset the world and must get the same token back."""
    world = load_file(DEFAULT_SCENARIO)
    return {**world, "settings": {**world.get("settings", {}), "insecureDeterministicSecrets": True}}


def customer_schema():
    """(schema, access token): trustpilot.yaml as the customer, against its own fresh in-process
    app. The token endpoints, the login page and the partner routes are left to the run as the
    partner: the customer's token changes nothing there, and a revoke in a call sequence would
    end the run in 401s."""
    app = create_app({"SCENARIO": snapshot_world()})
    key, secret, token, values = customer_world(app)

    def drawn_from(name):
        return {"dictionary": name, "probability": EXISTING_ID_SHARE}

    config = schemathesis_config(
        key, secret, token["access_token"], headers=CUSTOMER_HEADERS,
        dictionaries={name: {"values": entries} for name, entries in values.items()},
        parameters={"path.businessUnitId": drawn_from("businessUnit"), "query.sku": drawn_from("sku"),
                    "body.authorBusinessUserId": drawn_from("businessUser"),
                    # tags written and removed, and the list filters, mostly name the seeded tag
                    "body.tags[*].group": drawn_from("tagGroup"), "body.tags[*].value": drawn_from("tagValue"),
                    "query.group": drawn_from("tagGroup"), "query.value": drawn_from("tagValue"),
                    "query.tagGroup": drawn_from("tagGroup"), "query.tagValue": drawn_from("tagValue")},
        operations=[{"include-path-regex": SERVICE_REVIEW_PATHS, "parameters": {"path.reviewId": drawn_from("review")}},
                    {"include-path-regex": PRODUCT_REVIEW_PATHS,
                     "parameters": {"path.reviewId": drawn_from("productReview")}}])
    schema = schemathesis.openapi.from_path(OPENAPI / "trustpilot.yaml", config=config)
    schema.app = app
    schema = schema.exclude(tag=CUSTOMER_EXCLUDED_TAGS)
    schema.hooks.register_hook_with_name(_count_status, "after_call")
    return schema, token["access_token"]


CUSTOMER_STATUSES = collections.defaultdict(collections.Counter)  # operationId -> status -> calls


def _count_status(context, case, response):
    CUSTOMER_STATUSES[case.operation.definition.raw["operationId"]][response.status_code] += 1


trustpilot_schema = contract_schema("trustpilot.yaml", authenticated=True)
control_schema = contract_schema("control.yaml", authenticated=False)
trustpilot_customer_schema = customer_schema()[0]


@trustpilot_schema.parametrize()
def test_trustpilot_api_conforms_to_its_contract(case):
    case.call_and_validate()


@control_schema.parametrize()
def test_control_plane_conforms_to_its_contract(case):
    case.call_and_validate()


@trustpilot_customer_schema.parametrize()
def test_trustpilot_api_conforms_to_its_contract_as_the_customer(case):
    case.call_and_validate()


def test_trustpilot_api_call_sequences_conform_as_the_customer():
    """Stateful: calls chained along the document's links (and the links schemathesis infers),
    e.g. list reviews -> reply to one -> delete the reply, add tags -> remove one."""
    schema, token = customer_schema()

    class CallSequences(schema.as_state_machine()):
        def setup(self):
            # Each sequence starts from the same world, so Hypothesis can replay and shrink it
            # (a world changed by earlier sequences makes its data generation inconsistent).
            assert schema.app.test_client().post("/_mock/reset").status_code == 200
            assert customer_world(schema.app)[2]["access_token"] == token, "the reset world gave another token"

    CallSequences.run(settings=hypothesis.settings(
        max_examples=STATEFUL_SCENARIOS, stateful_step_count=10, deadline=None, database=None,
        derandomize=not os.environ.get("CONTRACT_RANDOM"), phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck)))


def test_customer_runs_reach_the_success_path_of_every_unit_operation():
    """Guards the runs above against ending in 403s or 404s again (a token without access, ids
    that do not exist): each operation on the unit's data succeeded at least once."""
    if not all(CUSTOMER_STATUSES.get(operation) for operation in CUSTOMER_OPERATIONS):
        pytest.skip("the customer runs did not run in this session (deselected)")
    missing = {operation: dict(CUSTOMER_STATUSES[operation]) for operation in CUSTOMER_OPERATIONS
               if not any(200 <= status < 300 for status in CUSTOMER_STATUSES[operation])}
    assert not missing, f"never succeeded (statuses seen): {missing}"
