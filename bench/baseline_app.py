"""The benchmarks' baseline: a bare Flask app answering the emulator's routes with fixed JSON.

Served by ``python -m gunicorn bench.baseline_app:app`` with the emulator's worker count, it
shows what gunicorn + Flask cost before the emulator does any work of its own:
  * ``startup.py`` launches it and polls the find call;
  * ``http_throughput.py`` loads it with the same three requests as the emulator: the find
    call, a page of reviews (the emulator's own page, read from ``BASELINE_REVIEWS_PAGE``
    when set) and an e-mail invitation (the body is parsed, then 202 as the emulator answers).
"""

import json
import os

from flask import Flask, jsonify, request

app = Flask(__name__)

# The emulator's answer to GET /v1/business-units/find?name=trustpilotdemo.com, in shape.
FOUND = {
    "links": [],
    "id": "507f191e810c19729de860ea",
    "displayName": "Trustpilot Demo",
    "name": {"identifying": "trustpilotdemo.com", "referring": ["trustpilotdemo.com", "www.trustpilotdemo.com"]},
}


def _reviews_page():
    path = os.environ.get("BASELINE_REVIEWS_PAGE")
    if not path:
        return {"links": [], "reviews": []}
    with open(path, encoding="utf-8") as file:
        return json.load(file)


REVIEWS_PAGE = _reviews_page()


@app.get("/v1/business-units/find")
def find_business_unit():
    return jsonify(FOUND)


@app.get("/v1/business-units/<business_unit_id>/reviews")
def list_business_unit_reviews(business_unit_id):
    return jsonify(REVIEWS_PAGE)


@app.post("/v1/private/business-units/<business_unit_id>/email-invitations")
def create_email_invitation(business_unit_id):
    request.get_json()
    return "", 202
