"""The startup benchmark's baseline: a bare Flask app answering the find call with fixed JSON.

Served by ``python -m gunicorn bench.baseline_app:app`` with the emulator's worker count, it
shows what launching gunicorn + Flask costs before the emulator does any work of its own.
"""

from flask import Flask, jsonify

app = Flask(__name__)

# The emulator's answer to GET /v1/business-units/find?name=trustpilotdemo.com, in shape.
FOUND = {
    "links": [],
    "id": "507f191e810c19729de860ea",
    "displayName": "Trustpilot Demo",
    "name": {"identifying": "trustpilotdemo.com", "referring": ["trustpilotdemo.com", "www.trustpilotdemo.com"]},
}


@app.get("/v1/business-units/find")
def find_business_unit():
    return jsonify(FOUND)
