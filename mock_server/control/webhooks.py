"""/_mock/webhooks/...: the webhook deliveries the world's consumer activity caused, and retries."""

from flask import Blueprint, jsonify

from ..web.request import sandbox

bp = Blueprint("control_webhooks", __name__, url_prefix="/_mock/webhooks")


@bp.get("/deliveries")
def list_webhook_deliveries():
    return jsonify(sandbox().webhooks.list_webhook_deliveries())


@bp.post("/deliveries/<delivery_id>/retry")
def retry_webhook_delivery(delivery_id):
    return jsonify(sandbox().webhooks.retry_webhook_delivery(delivery_id))
