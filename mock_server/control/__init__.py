"""The control plane under the reserved /_mock prefix: never mixed with emulated routes."""

from importlib import import_module

# One module per concern, each with a blueprint ``bp`` under /_mock; adding one = one line here.
CONTROL_MODULES = (
    "views",
    "invitations",
    "consumers",
    "webhooks",
    "sandboxes",
    "settings",
    "faults",
    "dashboard",
)


def init_app(app):
    for name in CONTROL_MODULES:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
