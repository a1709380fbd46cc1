"""A real webhook endpoint for tests: an http.server on a free loopback port that records every
POST and answers with scripted statuses; plus polling with a deadline for async deliveries."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Answers the n-th POST with ``statuses[n]`` (then ``default``); ``hold`` blocks answers until set."""

    def __init__(self, statuses=(), default=200, hold=None):
        self.requests = []
        self._statuses, self._default, self._hold = list(statuses), default, hold
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/trustpilot"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                              "json": json.loads(body)})
                    status = receiver._statuses.pop(0) if receiver._statuses else receiver._default
                if receiver._hold is not None:
                    receiver._hold.wait(30)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def close(self):
        if self._hold is not None:
            self._hold.set()
        self._server.shutdown()
        self._server.server_close()


def closed_port_url():
    """A loopback URL nobody listens on (the port was free a moment ago)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/nobody-here"


def wait_for(fetch, done, timeout=30, what="the condition"):
    """Poll ``fetch()`` until ``done(value)``; fail with the last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} was not reached within {timeout} s; last value: {value!r}")
        time.sleep(0.05)
