"""Flask as this app uses it, with work it never needs taken off each request and its start.

Each piece gives the same answers as Flask and Werkzeug; measured in-process on the find call.
"""

from functools import lru_cache

from flask import Flask
from werkzeug.exceptions import BadHost
from werkzeug.routing import MapAdapter, Rule
from werkzeug.wsgi import get_host


class SandboxFlask(Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ensure_sync = _once_per_function(self.ensure_sync)

    def create_url_adapter(self, request):
        """The adapter Flask binds for a request, worked out as Werkzeug does it for an app like
        this one (no SERVER_NAME, no host or subdomain matching, no trusted hosts), with the
        host's IDNA form remembered: Werkzeug encodes it again on every request, and that was
        half of the adapter's 8 us."""
        config = self.config
        if (request is None or config["SERVER_NAME"] is not None or config["TRUSTED_HOSTS"] is not None
                or self.url_map.host_matching or self.subdomain_matching):
            return super().create_url_adapter(request)
        environ = request.environ
        host = request.host = get_host(environ)  # as Flask sets it
        server_name = _idna(host.lower())
        if server_name is None:
            raise BadHost()  # as Werkzeug's bind does; Flask keeps it as the routing exception
        scheme = environ["wsgi.url_scheme"]
        if (environ.get("HTTP_UPGRADE", "").lower() == "websocket"
                and any(v.strip(" \t") == "upgrade" for v in environ.get("HTTP_CONNECTION", "").lower().split(","))):
            scheme = "wss" if scheme == "https" else "ws"
        return MapAdapter(self.url_map, server_name, _text(environ.get("SCRIPT_NAME")) or "/",
                          self.url_map.default_subdomain or "", scheme, _text(environ.get("PATH_INFO")) or "/",
                          environ["REQUEST_METHOD"], _text(environ.get("QUERY_STRING")))


class LazyBuilderRule(Rule):
    """A URL rule whose url_for builders are compiled when first used, not at start-up.

    Werkzeug writes, parses and compiles two Python functions per rule as the app is built:
    about 0.5 ms a rule, some 40 ms of this app's start for builders only the login form's
    url_for ever calls. The builder is the same, only later."""

    def _compile_builder(self, append_unknown=True):
        compile_now = super()._compile_builder
        compiled = {}

        def build(rule, *args, **kwargs):
            if "builder" not in compiled:
                compiled["builder"] = compile_now(append_unknown).__get__(rule, None)
            return compiled["builder"](*args, **kwargs)

        return build


SandboxFlask.url_rule_class = LazyBuilderRule


def _once_per_function(ensure_sync):
    """Flask asks ensure_sync of every hook and view on every request, and each answer inspects
    the function's code flags: the answer for a function never changes, so keep it."""
    known = {}

    def cached(func):
        try:
            return known[func]
        except KeyError:
            known[func] = wrapped = ensure_sync(func)
            return wrapped
        except TypeError:  # an unhashable callable
            return ensure_sync(func)

    return cached


@lru_cache(maxsize=64)
def _idna(host):
    """``host`` with its name IDNA-encoded as Werkzeug's Map.bind writes it; None if it cannot be."""
    name, sep, port = host.partition(":")
    try:
        return name.encode("idna").decode("ascii") + sep + port
    except UnicodeError:
        return None


def _text(value):
    """A WSGI string (bytes read as Latin-1) as text, as Werkzeug decodes it."""
    return None if value is None else value.encode("latin1").decode("utf-8", "replace")
