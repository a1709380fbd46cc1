"""The emulated Trustpilot API: one blueprint per area; views parse, call state once, serialise."""

from importlib import import_module

from flask import current_app, g

# One module per area, each with a blueprint ``bp``; adding an area = one line here.
AREA_MODULES = (
    "oauth",
    "authenticate",
    "business_units",
    "showcase",
    "partners",
    "reviews",
    "product_reviews",
    "invitations",
)


def sandbox():
    """The sandbox this request addresses (only 'default' until named sandboxes arrive)."""
    return current_app.extensions["sandboxes"].get(g.get("sandbox", "default"))


def init_app(app):
    from . import errors

    errors.init_app(app)
    for name in AREA_MODULES:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
