"""Webhook subscriptions, the documented review event, delivery with retries, and the
deliveries control plane: in-process with a real HTTP receiver, and over `serve`."""

import json
import threading

import pytest
import requests

from mock_server import create_app, scenario
from webhook_receiver import Receiver, closed_port_url, wait_for

UNIT = "5a0000000000000000000001"
OTHER_UNIT = "5a0000000000000000000002"
LOCATION = "0b7e5b6e-1c2d-4e3f-8a9b-0c1d2e3f4a5b"
EVENT_KEYS = {"id", "language", "stars", "title", "text", "locationId", "referenceId", "createdAt", "link",
              "isVerified", "consumer", "tags"}


def world(*hooks, **settings):
    """A small world with two business units and the given webhook subscriptions."""
    data = {"name": "webhooks", "seed": 7, "settings": settings, "webhooks": list(hooks),
            "businessUnits": [
                {"id": UNIT, "domain": "hooks.example", "plan": "standard",
                 "locations": [{"id": LOCATION, "name": "Main Street"}], "reviews": {"generate": 3}},
                {"id": OTHER_UNIT, "domain": "other.example", "plan": "free"}]}
    return scenario.parse(json.dumps(data), "<test world>")


@pytest.fixture
def receivers():
    made = []

    def make(*statuses, default=200, hold=None):
        made.append(Receiver(statuses, default=default, hold=hold))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def client_for(*hooks, **settings):
    return create_app({"SCENARIO": world(*hooks, **settings)}).test_client()


def write_review(client, unit=UNIT, **fields):
    response = client.post(f"/_mock/business-units/{unit}/reviews", json={"stars": 4, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliveries(client):
    response = client.get("/_mock/webhooks/deliveries")
    assert response.status_code == 200
    return response.get_json()["deliveries"]


def settled(client, count=1):
    """The deliveries once ``count`` exist and none is pending."""
    return wait_for(lambda: deliveries(client),
                    lambda ds: len(ds) >= count and all(d["status"] != "pending" for d in ds),
                    what=f"{count} settled deliveries")


def test_list_webhook_deliveries_empty_without_subscriptions():
    client = client_for()
    write_review(client)
    assert deliveries(client) == []


def test_write_consumer_review_posts_the_documented_created_event(receivers):
    receiver = receivers()
    client = client_for({"url": receiver.url})
    review = write_review(client, title="Quick", text="Arrived next day", consumerName="Ann Lee", language="da",
                          locationId=LOCATION)
    wait_for(lambda: list(receiver.requests), len, what="one POST at the receiver")
    request = receiver.requests[0]
    assert request["path"] == "/hooks/trustpilot"
    assert request["headers"]["Content-Type"] == "application/json"
    [event] = request["json"]["events"]
    assert (event["eventName"], event["version"]) == ("service-review-created", "1")
    data = event["eventData"]
    assert set(data) == EVENT_KEYS
    assert data["id"] == review["id"]
    assert (data["stars"], data["title"], data["text"], data["language"]) == (4, "Quick", "Arrived next day", "da")
    assert (data["locationId"], data["referenceId"], data["isVerified"], data["tags"]) == (LOCATION, None, False, [])
    assert data["createdAt"] == review["createdAt"]
    assert data["link"] == f"http://localhost/v1/reviews/{review['id']}"
    assert data["consumer"] == {"id": review["consumer"]["id"], "name": "Ann Lee",
                                "link": f"http://localhost/v1/consumers/{review['consumer']['id']}"}


def test_list_webhook_deliveries_shows_a_delivered_attempt(receivers):
    receiver = receivers()
    client = client_for({"url": receiver.url})
    review = write_review(client)
    [delivery] = settled(client)
    assert delivery["status"] == "delivered"
    assert (delivery["eventName"], delivery["reviewId"], delivery["businessUnitId"]) == (
        "service-review-created", review["id"], UNIT)
    assert (delivery["url"], delivery["subscription"], delivery["maxAttempts"]) == (receiver.url, 0, 5)
    assert delivery["payload"] == receiver.requests[0]["json"]
    [attempt] = delivery["attempts"]
    assert (attempt["number"], attempt["statusCode"], attempt["error"]) == (1, 200, None)


def test_edit_consumer_review_posts_an_updated_event(receivers):
    receiver = receivers()
    client = client_for({"url": receiver.url})
    review = write_review(client)
    assert client.patch(f"/_mock/reviews/{review['id']}", json={"stars": 1, "text": "Broke"}).status_code == 200
    wait_for(lambda: list(receiver.requests), lambda r: len(r) == 2, what="two POSTs")
    updated = [r["json"]["events"][0] for r in receiver.requests if
               r["json"]["events"][0]["eventName"] == "service-review-updated"]
    assert [(e["eventData"]["stars"], e["eventData"]["text"]) for e in updated] == [(1, "Broke")]


def test_report_review_posts_an_updated_event(receivers):
    receiver = receivers()
    client = client_for({"url": receiver.url, "events": ["service-review-updated"]})
    review = write_review(client)
    assert client.post(f"/_mock/reviews/{review['id']}/report", json={"reason": "fakeReview"}).status_code == 200
    [delivery] = settled(client)
    assert (delivery["eventName"], delivery["reviewId"]) == ("service-review-updated", review["id"])


def test_subscription_events_filter_skips_other_events(receivers):
    receiver = receivers()
    client = client_for({"url": receiver.url, "events": ["service-review-updated"]})
    write_review(client)
    assert deliveries(client) == []


def test_subscription_business_unit_filter_skips_other_units(receivers):
    mine, everyone = receivers(), receivers()
    client = client_for({"url": mine.url, "businessUnitIds": [UNIT]}, {"url": everyone.url})
    write_review(client, unit=OTHER_UNIT)
    [delivery] = settled(client)
    assert (delivery["url"], delivery["subscription"], delivery["businessUnitId"]) == (everyone.url, 1, OTHER_UNIT)


def test_write_consumer_review_refused_publishes_nothing(receivers):
    receiver = receivers()
    client = client_for({"url": receiver.url})
    response = client.post(f"/_mock/business-units/{UNIT}/reviews",
                           json={"stars": 5, "locationId": "not-a-location-of-this-unit"})
    assert response.status_code == 400
    assert deliveries(client) == []


def test_delivery_retries_until_the_receiver_answers_2xx(receivers):
    receiver = receivers(500, 503)
    client = client_for({"url": receiver.url})
    write_review(client)
    [delivery] = settled(client)
    assert delivery["status"] == "delivered"
    assert [(a["number"], a["statusCode"], a["error"]) for a in delivery["attempts"]] == [
        (1, 500, None), (2, 503, None), (3, 200, None)]
    assert len(receiver.requests) == 3


def test_delivery_fails_after_max_attempts(receivers):
    receiver = receivers(default=500)
    client = client_for({"url": receiver.url}, webhookMaxAttempts=3)
    write_review(client)
    [delivery] = settled(client)
    assert (delivery["status"], delivery["maxAttempts"]) == ("failed", 3)
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 500, 500]
    assert len(receiver.requests) == 3


def test_delivery_to_an_unreachable_url_records_the_error():
    client = client_for({"url": closed_port_url()}, webhookMaxAttempts=1)
    write_review(client)
    [delivery] = settled(client)
    [attempt] = delivery["attempts"]
    assert (delivery["status"], attempt["statusCode"]) == ("failed", None)
    assert "ConnectionError" in attempt["error"]


def test_list_webhook_deliveries_resumes_one_a_dead_process_claimed(receivers):
    receiver = receivers()
    app = create_app({"SCENARIO": world({"url": receiver.url})})
    sandbox = app.extensions["sandboxes"].get()
    sandbox.consumers.write_consumer_review(UNIT, {"stars": 3})  # the state call alone: nothing is sent yet
    with sandbox.store.transaction() as db:  # as if a worker claimed it, then died mid-attempt
        db.execute("UPDATE webhook_deliveries SET claim = 'dead-worker', lease_until = 0")
    [delivery] = settled(app.test_client())
    assert (delivery["status"], len(delivery["attempts"]), len(receiver.requests)) == ("delivered", 1, 1)


def test_retry_webhook_delivery_sends_a_failed_delivery_again(receivers):
    receiver = receivers(500)
    client = client_for({"url": receiver.url}, webhookMaxAttempts=1)
    write_review(client)
    [failed] = settled(client)
    assert failed["status"] == "failed"
    response = client.post(f"/_mock/webhooks/deliveries/{failed['id']}/retry")
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["maxAttempts"]) == ("pending", 2)
    [delivery] = wait_for(lambda: deliveries(client), lambda ds: ds[0]["status"] == "delivered", what="redelivery")
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 200]


def test_retry_webhook_delivery_still_pending(receivers):
    hold = threading.Event()
    receiver = receivers(hold=hold)
    client = client_for({"url": receiver.url})
    write_review(client)
    wait_for(lambda: list(receiver.requests), len, what="the held POST")
    delivery_id = deliveries(client)[0]["id"]
    response = client.post(f"/_mock/webhooks/deliveries/{delivery_id}/retry")
    hold.set()
    body = response.get_json()
    assert (response.status_code, body["errorCode"]) == (409, 1009)
    assert body["details"] == f"delivery {delivery_id!r} is still pending; it is retried on its own"


def test_retry_webhook_delivery_unknown_id():
    response = client_for().post("/_mock/webhooks/deliveries/0123456789abcdef01234567/retry")
    body = response.get_json()
    assert (response.status_code, body["errorCode"]) == (404, 1004)
    assert body["details"] == "no webhook delivery has the id '0123456789abcdef01234567'"


def test_reset_sandbox_forgets_deliveries(receivers):
    receiver = receivers()
    client = client_for({"url": receiver.url})
    write_review(client)
    settled(client)
    assert client.post("/_mock/reset").status_code == 200
    assert deliveries(client) == []


def test_load_scenario_webhook_without_url_is_refused():
    client = client_for()
    response = client.post("/_mock/scenario", json={"name": "x", "webhooks": [{"events": ["service-review-created"]}]})
    body = response.get_json()
    assert (response.status_code, body["errorCode"]) == (400, 1201)
    assert "webhooks[0]" in body["details"] and "url" in body["details"]


def test_load_scenario_unknown_webhook_event_is_refused():
    client = client_for()
    response = client.post("/_mock/scenario", json={"name": "x", "webhooks": [
        {"url": "http://127.0.0.1:9/hook", "events": ["review-created"]}]})
    body = response.get_json()
    assert (response.status_code, body["errorCode"]) == (400, 1201)
    assert "webhooks[0].events[0]" in body["details"] and "'review-created' is not one of" in body["details"]


def test_webhooks_are_delivered_from_the_server_workers(live, receivers):
    receiver = receivers(500)
    hooked = world({"url": receiver.url})
    requests.post(f"{live}/_mock/scenario", json=hooked, timeout=10).raise_for_status()
    response = requests.post(f"{live}/_mock/business-units/{UNIT}/reviews", json={"stars": 5, "title": "Live"},
                             timeout=10)
    assert response.status_code == 201
    review_id = response.json()["id"]
    wait_for(lambda: list(receiver.requests), lambda r: len(r) == 2, what="a failed POST and its retry")
    assert receiver.requests[1]["json"]["events"][0]["eventData"]["id"] == review_id
    # Each request may land on either worker: every one shows the same record.
    for _ in range(4):
        [delivery] = wait_for(lambda: requests.get(f"{live}/_mock/webhooks/deliveries", timeout=10).json()
                              ["deliveries"], lambda ds: ds and ds[0]["status"] == "delivered",
                              what="delivered over serve")
        assert [a["statusCode"] for a in delivery["attempts"]] == [500, 200]
