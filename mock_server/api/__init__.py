"""The emulated Trustpilot API: one blueprint per area; views parse, call state once, serialise."""

from importlib import import_module

from flask import request

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
    """The sandbox this request addresses: 'default', or the one named by its /_sandbox/<name> prefix."""
    return request.sandbox  # request_parsing.ApiRequest: looked up once per request


def sandbox_name():
    return request.sandbox_name


SANDBOX_KEY = "trustpilot.sandbox"
SANDBOX_PREFIX = "/_sandbox/"


class SandboxPrefix:
    """WSGI middleware: /_sandbox/<name>/rest is the route /rest of sandbox <name>.

    The prefix moves into SCRIPT_NAME, so every link the emulator builds (next-page, the login
    form's action) keeps it, and an unmodified client only needs its base URL set to
    http://host:port/_sandbox/<name>."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(SANDBOX_PREFIX):
            name, _, rest = path[len(SANDBOX_PREFIX):].partition("/")
            environ[SANDBOX_KEY] = name
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + SANDBOX_PREFIX + name
            environ["PATH_INFO"] = "/" + rest
        return self.wsgi_app(environ, start_response)


def init_app(app):
    from . import errors, request_validation

    errors.init_app(app)
    request_validation.init_app(app)
    for name in AREA_MODULES:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
