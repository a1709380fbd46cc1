"""The emulated Trustpilot API: one blueprint per area; views parse, call state once, serialise."""

from flask import current_app, g


def sandbox():
    """The sandbox this request addresses (only 'default' until named sandboxes arrive)."""
    return current_app.extensions["sandboxes"].get(g.get("sandbox", "default"))


def init_app(app):
    from . import authenticate, business_units, errors, oauth, partners

    errors.init_app(app)
    for module in (oauth, authenticate, business_units, partners):
        app.register_blueprint(module.bp)
