"""The emulator the kit judges against: started in this process on a loopback port, or a URL.

The kit talks to it only over HTTP (the control plane), so a sandbox in this process, on
localhost or on a shared host behave the same. The in-process one is werkzeug's threaded
server around ``create_app()``: the partner's integration, a separate process, needs a socket.
"""

import logging
import shutil
import tempfile
import threading

import requests

CONTROL_TOKEN_HEADER = "X-Sandbox-Control-Token"


class SandboxUnreachable(Exception):
    """--sandbox names a server that does not answer as a Trustpilot partner sandbox."""


class Emulator:
    def __init__(self, url=None, control_token=None):
        self._server = None
        self._ca = None
        self._ca_lock = threading.Lock()
        self.control_token = control_token
        if url is None:
            self.url = self._start()
            self.where = "in-process"
        else:
            self.url = url.rstrip("/")
            self.where = self.url
            self._check_reachable()

    def session(self):
        """A requests session for control calls (with the control token when given)."""
        session = requests.Session()
        if self.control_token:
            session.headers[CONTROL_TOKEN_HEADER] = self.control_token
        return session

    def _start(self):
        from werkzeug.middleware.proxy_fix import ProxyFix
        from werkzeug.serving import make_server

        from mock_server import create_app

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log on the kit's console
        app = create_app()
        # The proxy mode's X-Forwarded-Proto (https), honoured from loopback as serve does, so
        # the sandbox's links to https://api.trustpilot.com stay https.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=0, x_proto=1, x_host=0, x_port=0, x_prefix=0)
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=self._server.serve_forever, name="trustpilot-emulator", daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def _check_reachable(self):
        try:
            response = self.session().get(f"{self.url}/_mock/sandboxes", timeout=10)
        except requests.RequestException as exc:
            raise SandboxUnreachable(f"the sandbox at {self.url} cannot be reached: {exc}") from None
        if response.status_code != 200:
            raise SandboxUnreachable(f"{self.url}/_mock/sandboxes answered {response.status_code}: "
                                     f"{response.text[:300]} (is it a Trustpilot partner sandbox? is --control-token "
                                     "needed?)")

    def proxy_for(self, sandbox_name):
        """A started proxy (proxy mode, mock_server/proxy.py) whose requests reach the sandbox
        ``sandbox_name`` here; the run's one CA (made on first use, removed by close()) signs it."""
        from mock_server.proxy import TrustpilotProxy
        from mock_server.proxy_ca import LocalCA

        with self._ca_lock:
            if self._ca is None:
                self._ca = LocalCA(tempfile.mkdtemp(prefix="conformance-proxy-ca-"))
        return TrustpilotProxy(self.url, self._ca, sandbox=sandbox_name).start()

    def close(self):
        if self._ca is not None:
            shutil.rmtree(self._ca.folder, ignore_errors=True)
            self._ca = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
