"""Repeated reads answered again from the answer the app gave, while nothing it rests on changed.

A GET without a body whose answer is 200, was made with no fault rule active and the rate
ceiling off, and read neither the clock nor a fresh id nor wrote anything (state/store.py:
note_volatile) depends only on the request and the world. Its answer is kept, keyed by
everything the app can read of the request: the sandbox, path, query, scheme, server address
and every header (credentials included: another key or token is another request). The same
request is then answered with the kept bytes without running Flask (the hooks, the view, the
encoding), until anything in the world is written by any worker (the store's rule for
cached_until_write), and no longer than its bearer token is valid: the token check says until
when its answer holds (note_valid_until), and the sandbox clock is read at each replay.

What every request still gets: its journal entry (the kept entry, stamped and attributed anew,
so the journal cannot tell a replay from a first answer), and the fault check (a replay is
only made while faults are quiet; any active rule sends every request through the app).

Why: the find call and a page of reviews are what showcase widgets and review-ingesting
integrations repeat. A replayed find costs 41 us in-process instead of 213, and under `serve`
149 us of CPU instead of 360 (bench/http_throughput.py). Turned off with the app setting
REPLAY_ANSWERS = False (``TRUSTPILOT_MOCK_REPLAY=off`` for serve).
"""

from ..rsgi import BODY_TIMEOUT, whole
from ..state import this_process
from ..state.errors import EmulatorError
from ..state.store import Store, request_valid_until
from .request import SANDBOX_KEY

# Set by the middleware on a request it could replay next time; the app's journal hook then
# puts the journal entry there when the answer may be kept (app.py).
CANDIDATE = "sandbox.replay_candidate"
# Larger answers are not kept: a connection keeps RECENT values (store.py), so at most 16 MiB of answers.
MAX_BODY = 64 * 1024


class Replay:
    """WSGI middleware, inside SandboxPrefix (the path is the route's) and OneSnapshot."""

    def __init__(self, wsgi_app, registry):
        self.wsgi_app = wsgi_app
        self.registry = registry

    def __call__(self, environ, start_response):
        key = _key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        try:
            sandbox = self.registry.get(key[1])
        except EmulatorError:
            return self.wsgi_app(environ, start_response)  # the app answers that no such sandbox exists
        quiet = sandbox.faults.quiet()
        if not quiet:
            return self.wsgi_app(environ, start_response)
        with sandbox.store.read() as db:
            kept = Store.kept(db, key)
            if kept is not None and kept[4] is not None and sandbox.clock.stamp(db) >= kept[4]:
                kept = None  # the token it was answered with has expired since: the app says so
        if kept is not None:
            status, headers, body, entry, _ = kept
            sandbox.journal.record_request({**entry, "pid": this_process.pid})
            start_response(status, list(headers))
            return [body]
        return self._answer_and_keep(sandbox, key, environ, start_response)

    def _answer_and_keep(self, sandbox, key, environ, start_response):
        started = []

        def start(status, headers, exc_info=None):
            started[:] = (status, headers)
            return start_response(status, headers, exc_info)

        environ[CANDIDATE] = None
        result = self.wsgi_app(environ, start)
        entry = environ.get(CANDIDATE)
        if entry is None or not started:
            return result
        body = whole(result)
        if len(body) <= MAX_BODY:
            with sandbox.store.read() as db:
                Store.keep(db, key, (started[0], tuple(started[1]), body, entry, request_valid_until()))
        return [body]


def may_keep(environ, response, fault, volatile):
    """Whether the app's answer to a candidate request may be replayed (asked by the journal hook)."""
    return (CANDIDATE in environ and response.status_code == 200 and fault is None and not volatile
            and not response.is_streamed and not response.direct_passthrough)


def _key(environ):
    """Everything the app can read of a body-less GET, or None for any other request."""
    if (environ["REQUEST_METHOD"] != "GET"
            or environ.get("CONTENT_LENGTH", "") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ
            or BODY_TIMEOUT in environ):
        return None
    path = environ.get("PATH_INFO", "")
    if path.startswith("/_mock"):
        return None
    headers = tuple(sorted(item for item in environ.items() if item[0].startswith("HTTP_")))
    return ("answer", environ.get(SANDBOX_KEY, "default"), environ.get("SCRIPT_NAME", ""), path,
            environ.get("QUERY_STRING", ""), environ["wsgi.url_scheme"], environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"), headers)
