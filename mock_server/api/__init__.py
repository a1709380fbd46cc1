"""The emulated Trustpilot API: one blueprint per area; views parse, call state once, serialise."""

from importlib import import_module

# One module per area, each with a blueprint ``bp``; adding an area = one line here.
AREA_MODULES = (
    "oauth",
    "authenticate",
    "business_units",
    "showcase",
    "partners",
    "reviews",
    "consumers",
    "resources",
    "product_reviews",
    "invitations",
)


def init_app(app):
    from . import errors, request_validation

    errors.init_app(app)
    request_validation.init_app(app)
    for name in AREA_MODULES:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
