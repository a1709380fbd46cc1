"""Invitations API: e-mail invitations, invitation links, templates, deletion of invitation data,
the control plane's view of them, consume_invitation, and one flow over real HTTP."""

import copy
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from helpers import (DEMO_BU, FREE_BU, PARTNER, PARTNER_ID, PARTNER_USER, REDIRECT, TOKEN_PATH, basic, bearer,
                     customer_key, fault, http_customer_headers, login_code, password_token)
from mock_server import create_app, scenario
from mock_server.state import errors
from mock_server.state.clock import iso
from mock_server.state.invitations import consume_invitation

BASE = f"/v1/private/business-units/{DEMO_BU}"
APP_KEY = ("demo-shop-app", "demo-shop-secret")
MANAGER, MEMBER = "6a1b2c3d4e5f60718293a402", "6a1b2c3d4e5f60718293a403"
SERVICE_TEMPLATE, PRODUCT_TEMPLATE, ENGLISH_TEMPLATE = ("70000000000000000000a001", "70000000000000000000a002",
                                                        "70000000000000000000a003")
INVITATION = {"consumerEmail": "john.doe@example.com", "consumerName": "John Doe", "referenceNumber": "inv00001",
              "locale": "en-US", "type": "email",
              "serviceReviewInvitation": {"templateId": SERVICE_TEMPLATE, "tags": ["tag1", "tag2"],
                                          "redirectUri": "https://www.trustpilotdemo.com/thanks"}}


def world():
    """The default world; the demo unit also has a manager, a member, an application and templates."""
    data = copy.deepcopy(scenario.load_file(scenario.DEFAULT_SCENARIO))
    unit = next(u for u in data["businessUnits"] if u["id"] == DEMO_BU)
    unit["users"] += [{"id": MANAGER, "email": "manager@trustpilotdemo.com", "password": "pw", "role": "manager"},
                      {"id": MEMBER, "email": "member@trustpilotdemo.com", "password": "pw", "role": "member"}]
    unit["applications"] = [{"apiKey": APP_KEY[0], "apiSecret": APP_KEY[1]}]
    unit["locations"] = [{"id": "3f0e8f7a-1111-4222-8333-444455556666", "name": "Copenhagen", "externalId": "ABC123"}]
    unit["templates"] = [
        {"id": SERVICE_TEMPLATE, "name": "Service", "isDefaultTemplate": True, "locale": "da-DK",
         "type": "ServiceReview"},
        {"id": PRODUCT_TEMPLATE, "name": "Product", "isDefaultTemplate": True, "locale": "da-DK",
         "type": "ProductReview"},
        {"id": ENGLISH_TEMPLATE, "name": "English", "locale": "en-GB"}]
    return data


@pytest.fixture(params=["memory", "file"])
def client(request, tmp_path):
    """Each test on a memory store and on a state file, where rows are added through the waiting
    rows (store.py: add_row) and moved in before any read."""
    config = {"SCENARIO": world()}
    if request.param == "file":
        config.update(STATE_PATH=str(tmp_path / "state.db"), FRESH_STATE=True)
    return create_app(config).test_client()


@pytest.fixture
def app_token(client):
    """A client-credentials token of the demo unit's own application (no user)."""
    response = client.post(TOKEN_PATH, headers=basic(*APP_KEY), data={"grant_type": "client_credentials"})
    return response.get_json()["access_token"]


@pytest.fixture
def admin(client):
    """The demo unit's admin through the partner onboarding: customer token plus partner id header."""
    key = customer_key(client, password_token(client)["access_token"])
    token = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                        data={"grant_type": "authorization_code", "code": login_code(client, key["apiKey"]),
                              "redirect_uri": REDIRECT}).get_json()["access_token"]
    return bearer(token, **{"x-partner-id": PARTNER_ID})


def invite(client, headers, unit=DEMO_BU, **changes):
    return client.post(f"/v1/private/business-units/{unit}/email-invitations", headers=headers,
                       json={**INVITATION, **changes})


def stored(client, unit=DEMO_BU):
    response = client.get("/_mock/invitations", query_string={"businessUnitId": unit})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["invitations"]


def malformed(response, details):
    """A 400 in the service error body, with exactly this ``details``."""
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["message"], body["errorCode"], body["details"]) == ("The request was malformed", 1001, details)


# -- create_email_invitation ----------------------------------------------------------------
def test_create_email_invitation_accepted_with_empty_body_and_stored(client, admin):
    response = invite(client, admin, locationId="ABC123", senderName="Demo Shop", replyTo="shop@trustpilotdemo.com")
    assert response.status_code == 202 and response.get_data() == b""
    [invitation] = stored(client)
    assert len(invitation["id"]) == 24 and invitation["type"] == "email" and invitation["status"] == "pending"
    assert (invitation["consumerEmail"], invitation["consumerName"], invitation["referenceNumber"]) == (
        "john.doe@example.com", "John Doe", "inv00001")
    assert invitation["businessUserId"] == "6a1b2c3d4e5f60718293a401"  # the token's own user, the admin
    assert invitation["locationId"] == "3f0e8f7a-1111-4222-8333-444455556666"  # found by its externalId
    assert invitation["tags"] == ["tag1", "tag2"] and invitation["replyTo"] == "shop@trustpilotdemo.com"
    assert invitation["serviceReviewInvitation"]["templateId"] == SERVICE_TEMPLATE
    assert invitation["productReviewInvitation"] is None


def test_create_email_invitation_future_send_time_is_scheduled_until_the_clock_passes_it(client, app_token):
    now = client.get("/_mock/clock").get_json()["epochSeconds"]
    later = iso(now + 3 * 3600)
    block = {"preferredSendTime": f"{later[5:7]}/{later[8:10]}/{later[:4]} {later[11:19]}"}  # MM/DD/YYYY HH:mm:ss
    assert invite(client, bearer(app_token), serviceReviewInvitation=block).status_code == 202
    [invitation] = stored(client)
    assert invitation["status"] == "scheduled" and invitation["sendTime"] == later
    client.post("/_mock/clock/advance", json={"hours": 4})
    assert stored(client)[0]["status"] == "pending"


def test_create_email_invitation_iso_send_time_in_utc_accepted(client, app_token):
    block = {"preferredSendTime": "2031-01-02T03:04:05Z"}
    assert invite(client, bearer(app_token), serviceReviewInvitation=block).status_code == 202
    assert stored(client)[0]["sendTime"] == "2031-01-02T03:04:05Z"


def test_create_email_invitation_past_send_time_is_sent_now(client, app_token):
    block = {"preferredSendTime": "09/07/2013 13:37:00"}
    assert invite(client, bearer(app_token), serviceReviewInvitation=block).status_code == 202
    invitation = stored(client)[0]
    assert invitation["status"] == "pending" and invitation["sendTime"] == invitation["createdAt"]


def test_create_email_invitation_defaults_to_the_default_template_and_its_locale(client, app_token):
    body = {k: v for k, v in INVITATION.items() if k not in ("locale", "serviceReviewInvitation")}
    response = client.post(f"{BASE}/email-invitations", headers=bearer(app_token),
                           json={**body, "serviceReviewInvitation": {}})
    assert response.status_code == 202
    invitation = stored(client)[0]
    assert invitation["serviceReviewInvitation"]["templateId"] == SERVICE_TEMPLATE
    assert invitation["locale"] == "da-DK"


def test_create_email_invitation_product_block_with_skus(client, app_token):
    product = {"templateId": PRODUCT_TEMPLATE, "productSkus": ["SKU-00001", "SKU-00002"]}
    assert invite(client, bearer(app_token), productReviewInvitation=product).status_code == 202
    block = stored(client)[0]["productReviewInvitation"]
    assert block["templateId"] == PRODUCT_TEMPLATE and block["productSkus"] == ["SKU-00001", "SKU-00002"]


def test_create_email_invitation_client_credentials_without_user_header_has_no_sender(client, app_token):
    assert invite(client, bearer(app_token)).status_code == 202
    assert stored(client)[0]["businessUserId"] is None


def test_create_email_invitation_user_header_names_the_sender(client, app_token):
    assert invite(client, bearer(app_token, **{"x-business-user-id": MANAGER})).status_code == 202
    assert stored(client)[0]["businessUserId"] == MANAGER


def test_create_email_invitation_member_sender_is_forbidden(client, app_token):
    response = invite(client, bearer(app_token, **{"x-business-user-id": MEMBER}))
    assert response.status_code == 403
    code, message = fault(response)
    assert code == "access.Forbidden" and "has the role 'member'" in message and "Admin or Manager" in message


def test_create_email_invitation_user_header_of_another_unit_is_malformed(client, app_token):
    response = invite(client, bearer(app_token, **{"x-business-user-id": "6a1b2c3d4e5f60718293a501"}))
    malformed(response, f"'6a1b2c3d4e5f60718293a501' (the 'x-business-user-id' header) is not the id of a business "
                        f"user of business unit {DEMO_BU}")


def test_create_email_invitation_invalid_consumer_email(client, app_token):
    malformed(invite(client, bearer(app_token), consumerEmail="john.doe"),
              "'Consumer Email' is not in the correct format.")


def test_create_email_invitation_missing_consumer_email(client, app_token):
    body = {k: v for k, v in INVITATION.items() if k != "consumerEmail"}
    malformed(client.post(f"{BASE}/email-invitations", headers=bearer(app_token), json=body),
              "'Consumer Email' must not be empty.")


def test_create_email_invitation_missing_reference_number(client, app_token):
    malformed(invite(client, bearer(app_token), referenceNumber="  "), "'Reference Number' must not be empty.")


def test_create_email_invitation_missing_consumer_name(client, app_token):
    malformed(invite(client, bearer(app_token), consumerName=None), "'Consumer Name' must not be empty.")


def test_create_email_invitation_bad_locale(client, app_token):
    malformed(invite(client, bearer(app_token), locale="english"),
              "'Locale' is not in the correct format: expected a language and country such as 'en-US', "
              "got \"english\".")


def test_create_email_invitation_type_other_than_email(client, app_token):
    malformed(invite(client, bearer(app_token), type="sms"),
              "'Type' must be 'email' (the only kind of invitation this endpoint sends), got \"sms\".")


def test_create_email_invitation_without_any_block(client, app_token):
    malformed(invite(client, bearer(app_token), serviceReviewInvitation=None),
              "'Service Review Invitation' must not be empty: send a 'serviceReviewInvitation' block, "
              "a 'productReviewInvitation' block, or both.")


def test_create_email_invitation_products_and_skus_together(client, app_token):
    product = {"products": [{"sku": "ABC-1234", "name": "Metal Toy Car"}], "productSkus": ["ABC-1234"]}
    malformed(invite(client, bearer(app_token), productReviewInvitation=product),
              "'Products' in productReviewInvitation and 'Product Skus' cannot both be set: send the products, "
              "or the SKUs of products in your uploaded catalog.")


def test_create_email_invitation_product_block_without_products(client, app_token):
    malformed(invite(client, bearer(app_token), productReviewInvitation={"templateId": PRODUCT_TEMPLATE}),
              "'Products' in productReviewInvitation must not be empty: send 'products' or 'productSkus'.")


def test_create_email_invitation_product_without_name(client, app_token):
    product = {"products": [{"sku": "ABC-1234"}]}
    malformed(invite(client, bearer(app_token), productReviewInvitation=product),
              "'Name' in productReviewInvitation.products[0] must not be empty.")


def test_create_email_invitation_send_time_not_in_utc(client, app_token):
    block = {"preferredSendTime": "2031-01-02T03:04:05+02:00"}
    malformed(invite(client, bearer(app_token), serviceReviewInvitation=block),
              "'Preferred Send Time' in serviceReviewInvitation must be in UTC (a 'Z' or '+00:00' offset, or none), "
              "got \"2031-01-02T03:04:05+02:00\".")


def test_create_email_invitation_send_time_in_an_unknown_format(client, app_token):
    block = {"preferredSendTime": "2031.01.02 03:04"}
    malformed(invite(client, bearer(app_token), serviceReviewInvitation=block),
              "'Preferred Send Time' in serviceReviewInvitation is not in the correct format: expected "
              "'MM/DD/YYYY HH:mm:ss' or ISO-8601 in UTC such as '2026-11-26T12:00:00Z', got \"2031.01.02 03:04\".")


def test_create_email_invitation_product_send_time_before_service(client, app_token):
    response = invite(client, bearer(app_token),
                      serviceReviewInvitation={"preferredSendTime": "2031-01-02T10:00:00Z"},
                      productReviewInvitation={"preferredSendTime": "2031-01-02T09:00:00Z", "productSkus": ["A"]})
    malformed(response, "'Preferred Send Time' in productReviewInvitation must not be before the service review "
                        "invitation's (2031-01-02T10:00:00Z): the service invitation is sent first.")


def test_create_email_invitation_unknown_template(client, app_token):
    malformed(invite(client, bearer(app_token), serviceReviewInvitation={"templateId": "0" * 24}),
              f"'Template Id' in serviceReviewInvitation is not a template of business unit {DEMO_BU}: "
              f"'{'0' * 24}'; GET /v1/private/business-units/{DEMO_BU}/templates lists them.")


def test_create_email_invitation_unknown_location(client, app_token):
    malformed(invite(client, bearer(app_token), locationId="NOPE"),
              f"'Location Id' is not a location of business unit {DEMO_BU}: 'NOPE'; use a location's id or "
              f"externalId from GET /v1/business-units/{DEMO_BU}/locations.")


def test_create_email_invitation_redirect_uri_not_a_url(client, app_token):
    malformed(invite(client, bearer(app_token), serviceReviewInvitation={"redirectUri": "thanks.html"}),
              "'Redirect Uri' in serviceReviewInvitation is not in the correct format: expected an absolute "
              "http(s) URL, got \"thanks.html\".")


def test_create_email_invitation_tags_not_strings(client, app_token):
    malformed(invite(client, bearer(app_token), serviceReviewInvitation={"tags": ["ok", 7]}),
              "'Tags' in serviceReviewInvitation must be a list of non-empty strings, got [\"ok\", 7].")


def test_create_email_invitation_not_json(client, app_token):
    response = client.post(f"{BASE}/email-invitations", headers=bearer(app_token), data="consumerEmail=a@b.co")
    assert response.status_code == 415 and response.get_json()["errorCode"] == 1015


def test_create_email_invitation_without_credentials(client):
    response = invite(client, {})
    assert response.status_code == 401 and fault(response)[0] == "steps.oauth.v2.FailedToResolveAPIKey"


def test_create_email_invitation_token_of_another_unit(client, app_token):
    response = invite(client, bearer(app_token), unit=FREE_BU)
    assert response.status_code == 403
    code, message = fault(response)
    assert code == "access.Forbidden" and f"has no access to business unit {FREE_BU}" in message


def test_create_email_invitation_unknown_unit(client, app_token):
    response = invite(client, bearer(app_token), unit="0" * 24)
    assert response.status_code == 404 and response.get_json()["errorCode"] == 1004
    assert response.get_json()["details"] == f"no business unit has the id '{'0' * 24}'"


def test_create_email_invitation_customer_token_without_partner_header(client, admin):
    response = invite(client, {"Authorization": admin["Authorization"]})
    assert response.status_code == 403 and fault(response)[0] == "partner.MissingPartnerId"


# -- create_invitation_link -----------------------------------------------------------------
LINK = {"email": "jane@example.com", "name": "Jane", "referenceId": "ref-1", "tags": ["x"],
        "redirectUri": "https://www.trustpilotdemo.com/thanks"}


def test_create_invitation_link_returns_id_and_url_and_stores_it(client, admin):
    response = client.post(f"{BASE}/invitation-links", headers=admin, json=LINK)
    assert response.status_code == 200
    link = response.get_json()
    assert len(link["id"]) == 32 and int(link["id"], 16) >= 0
    assert link["url"] == f"https://www.trustpilot.com/evaluate-link/{link['id']}"
    invitation = client.get(f"/_mock/invitations/{link['id']}").get_json()
    assert (invitation["type"], invitation["url"], invitation["referenceNumber"]) == ("link", link["url"], "ref-1")
    assert invitation["locale"] == "da-DK"  # the default service template's


def test_create_invitation_link_token_in_query_accepted(client, app_token):
    response = client.post(f"{BASE}/invitation-links", query_string={"token": app_token}, json=LINK)
    assert response.status_code == 200


def test_create_invitation_link_missing_reference_id(client, app_token):
    body = {k: v for k, v in LINK.items() if k != "referenceId"}
    malformed(client.post(f"{BASE}/invitation-links", headers=bearer(app_token), json=body),
              "'Reference Id' must not be empty.")


# -- list_invitation_templates --------------------------------------------------------------
def test_list_invitation_templates_from_the_scenario(client, app_token):
    response = client.get(f"{BASE}/templates", headers=bearer(app_token))
    assert response.status_code == 200
    assert response.get_json()["templates"] == [
        {"id": SERVICE_TEMPLATE, "name": "Service", "isDefaultTemplate": True, "locale": "da-DK",
         "type": "ServiceReview"},
        {"id": PRODUCT_TEMPLATE, "name": "Product", "isDefaultTemplate": True, "locale": "da-DK",
         "type": "ProductReview"},
        {"id": ENGLISH_TEMPLATE, "name": "English", "isDefaultTemplate": False, "locale": "en-GB",
         "type": "ServiceReview"}]


def test_list_invitation_templates_generated_from_the_seed_when_absent():
    def templates():
        client = create_app().test_client()
        key = customer_key(client, password_token(client)["access_token"])
        token = client.post(TOKEN_PATH, headers=basic(key["apiKey"], key["apiSecret"]),
                            data={"grant_type": "authorization_code", "code": login_code(client, key["apiKey"]),
                                  "redirect_uri": REDIRECT}).get_json()["access_token"]
        return client.get(f"{BASE}/templates", headers=bearer(token, **{"x-partner-id": PARTNER_ID})).get_json()

    first = templates()["templates"]
    assert first == templates()["templates"]  # same seed, same ids
    assert [(t["type"], t["isDefaultTemplate"], t["locale"]) for t in first] == [
        ("ServiceReview", True, "da-DK"), ("ServiceReview", False, "en-US"), ("ProductReview", True, "da-DK")]


def test_list_invitation_templates_without_credentials(client):
    response = client.get(f"{BASE}/templates")
    assert response.status_code == 401 and fault(response)[0] == "steps.oauth.v2.FailedToResolveAPIKey"


# -- delete_invitation_data -----------------------------------------------------------------
def test_delete_invitation_data_by_customer_emails_ignores_case(client, app_token):
    invite(client, bearer(app_token))
    invite(client, bearer(app_token), consumerEmail="other@example.com")
    response = client.post(f"{BASE}/invitation-data/delete", headers=bearer(app_token),
                           json={"customerEmails": ["JOHN.DOE@example.com"]})
    assert response.status_code == 200 and response.get_json() == {"deletedInvitations": 1}
    assert [i["consumerEmail"] for i in stored(client)] == ["other@example.com"]


def test_delete_invitation_data_older_than(client, app_token):
    invite(client, bearer(app_token))
    client.post("/_mock/clock/advance", json={"hours": 2})
    now = client.get("/_mock/clock").get_json()["now"]
    invite(client, bearer(app_token), consumerEmail="new@example.com")
    response = client.post(f"{BASE}/invitation-data/delete", headers=bearer(app_token), json={"deleteOlderThan": now})
    assert response.get_json() == {"deletedInvitations": 1}
    assert [i["consumerEmail"] for i in stored(client)] == ["new@example.com"]


def test_delete_invitation_data_both_criteria(client, app_token):
    response = client.post(f"{BASE}/invitation-data/delete", headers=bearer(app_token),
                           json={"customerEmails": ["a@b.co"], "deleteOlderThan": "09/07/2013 13:37:00"})
    malformed(response, "'Customer Emails' and 'Delete Older Than' cannot both be set: send one of them "
                        "(deletion is irreversible).")


def test_delete_invitation_data_no_criteria(client, app_token):
    response = client.post(f"{BASE}/invitation-data/delete", headers=bearer(app_token), json={})
    malformed(response, "'Customer Emails' must not be empty: send 'customerEmails' (a list of emails) or "
                        "'deleteOlderThan' (a date-time).")


def test_delete_invitation_data_bad_email(client, app_token):
    response = client.post(f"{BASE}/invitation-data/delete", headers=bearer(app_token),
                           json={"customerEmails": ["a@b.co", "nope"]})
    malformed(response, "'Customer Emails[1]' is not in the correct format: expected an email, got \"nope\".")


def test_delete_invitation_data_member_is_forbidden(client, app_token):
    response = client.post(f"{BASE}/invitation-data/delete", json={"customerEmails": ["a@b.co"]},
                           headers=bearer(app_token, **{"x-business-user-id": MEMBER}))
    assert response.status_code == 403 and fault(response)[0] == "access.Forbidden"


# -- control plane --------------------------------------------------------------------------
def test_list_sent_invitations_filters_by_business_unit(client, app_token):
    invite(client, bearer(app_token))
    assert len(client.get("/_mock/invitations").get_json()["invitations"]) == 1
    assert stored(client, unit=FREE_BU) == []


def test_list_sent_invitations_unknown_business_unit(client):
    response = client.get("/_mock/invitations", query_string={"businessUnitId": "0" * 24})
    assert response.status_code == 404 and response.get_json()["errorCode"] == 1004


def test_list_sent_invitations_empty_business_unit(client):
    malformed(client.get("/_mock/invitations?businessUnitId="),
              "query parameter 'businessUnitId' is empty; leave it out to list every unit's")


def test_get_sent_invitation_unknown(client):
    response = client.get(f"/_mock/invitations/{'0' * 24}")
    assert response.status_code == 404
    assert response.get_json()["details"] == f"no invitation has the id '{'0' * 24}'; GET /_mock/invitations lists them"


def test_reset_sandbox_forgets_invitations(client, app_token):
    invite(client, bearer(app_token))
    client.post("/_mock/reset")
    assert stored(client) == []


# -- consume_invitation (for the reviews area) ----------------------------------------------
def consume(client, invitation_id, hours_later=0):
    sandbox = client.application.extensions["sandboxes"].get()
    with sandbox.store.transaction() as db:
        return consume_invitation(db, invitation_id, sandbox.clock.now(db) + hours_later * 3600)


def test_consume_invitation_returns_the_review_fields_and_marks_it_reviewed(client, app_token):
    invite(client, bearer(app_token), locationId="ABC123")
    invitation_id = stored(client)[0]["id"]
    assert consume(client, invitation_id) == {
        "invitationId": invitation_id, "businessUnitId": DEMO_BU, "referenceNumber": "inv00001",
        "consumerEmail": "john.doe@example.com", "consumerName": "John Doe",
        "locationId": "3f0e8f7a-1111-4222-8333-444455556666", "tags": ["tag1", "tag2"], "locale": "en-US",
        "source": "InvitationApi"}
    assert stored(client)[0]["status"] == "reviewed" and stored(client)[0]["reviewedAt"] is not None


def test_consume_invitation_twice_is_a_conflict(client, app_token):
    invite(client, bearer(app_token))
    invitation_id = stored(client)[0]["id"]
    consume(client, invitation_id)
    with pytest.raises(errors.Conflict, match="was already used for a review"):
        consume(client, invitation_id)


def test_consume_invitation_unknown_is_not_found(client):
    with pytest.raises(errors.NotFound, match="no invitation has the id 'nope'"):
        consume(client, "nope")


def test_consume_invitation_still_scheduled_is_a_conflict(client, app_token):
    invite(client, bearer(app_token), serviceReviewInvitation={"preferredSendTime": "2031-01-02T03:04:05Z"})
    with pytest.raises(errors.Conflict, match="is scheduled for 2031-01-02T03:04:05Z and not sent yet"):
        consume(client, stored(client)[0]["id"])


def test_consume_invitation_of_a_product_only_invitation_is_a_conflict(client, app_token):
    invite(client, bearer(app_token), serviceReviewInvitation=None, productReviewInvitation={"productSkus": ["A"]})
    with pytest.raises(errors.Conflict, match="asks for product reviews only"):
        consume(client, stored(client)[0]["id"])


def test_consume_invitation_of_a_link(client, app_token):
    link = client.post(f"{BASE}/invitation-links", headers=bearer(app_token), json=LINK).get_json()
    review = consume(client, link["id"])
    assert (review["consumerEmail"], review["referenceNumber"], review["tags"]) == ("jane@example.com", "ref-1", ["x"])


# -- scenarios ------------------------------------------------------------------------------
def test_load_scenario_duplicate_template_id_is_refused(client):
    data = world()
    data["businessUnits"][1]["templates"] = [{"id": SERVICE_TEMPLATE, "name": "Copy"}]
    response = client.post("/_mock/scenario", json=data)
    assert response.status_code == 400 and response.get_json()["errorCode"] == 1201
    assert f"duplicate template id '{SERVICE_TEMPLATE}'" in response.get_json()["details"]


# -- over real HTTP -------------------------------------------------------------------------
def test_create_email_invitation_over_http_after_onboarding(live):
    headers = http_customer_headers(live)
    templates = requests.get(f"{live}{BASE}/templates", headers=headers).json()["templates"]
    body = {**INVITATION, "serviceReviewInvitation": {"templateId": templates[0]["id"], "tags": ["http"]}}
    created = requests.post(f"{live}{BASE}/email-invitations", headers=headers, json=body)
    assert created.status_code == 202 and created.content == b""
    [invitation] = requests.get(f"{live}/_mock/invitations", params={"businessUnitId": DEMO_BU}).json()["invitations"]
    assert (invitation["consumerEmail"], invitation["status"], invitation["tags"]) == (
        "john.doe@example.com", "pending", ["http"])
    assert invitation["serviceReviewInvitation"]["templateId"] == templates[0]["id"]
