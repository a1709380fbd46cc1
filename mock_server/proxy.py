"""Proxy mode: for integrations whose Trustpilot hosts are hard-coded (``https://api.trustpilot.com``).

An HTTP proxy (what HTTPS_PROXY names) that accepts ``CONNECT`` to the three Trustpilot hosts only,
answers inside the tunnel with a certificate of the local CA (proxy_ca.py), and forwards each
decrypted request to the sandbox's own HTTP port. Plain-HTTP proxy requests
(``GET http://api.trustpilot.com/...``) are served the same way. Any other host is refused with
403 and never reached: nothing here opens a connection anywhere but to the sandbox.

The sandbox sees the host the client asked for (``Host: api.trustpilot.com``) and the scheme
(``X-Forwarded-Proto: https``, which serve honours from loopback: rsgi.py), so the links it builds
(next pages, the login form) lead back through the proxy. With ``sandbox``, every request is
addressed to that named sandbox (header ``X-Sandbox-Name``): the conformance kit's one proxy per
check.

One thread per connection, every socket with a timeout: a client that stalls or drops (in the
request line, the TLS handshake or a body) ends its own thread only. Logs name hosts and paths,
never headers or query strings (where keys and tokens travel).
"""

import http.client
import logging
import os
import socket
import socketserver
import ssl
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from .web.request import SANDBOX_HEADER

HOSTS = ("api.trustpilot.com", "invitations-api.trustpilot.com", "authenticate.trustpilot.com")
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE")
IDLE_SECONDS = 30        # a client silent this long (between requests, mid-handshake) is let go
UPSTREAM_SECONDS = 120   # the sandbox's answer to one request
MAX_BODY = 64 * 1024 * 1024 + 1  # the sandbox refuses bodies past 64 MiB itself; more is not read
# Headers for one connection only (RFC 9110 7.6.1), and those the proxy sets itself.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "proxy-connection", "te",
              "trailer", "transfer-encoding", "upgrade", "expect", "host", "content-length"}
log = logging.getLogger("trustpilot_mock.proxy")


class ProxyUnavailable(Exception):
    """``serve --proxy-port`` cannot start the proxy: its port or its CA folder; the message says why."""


class TrustpilotProxy:
    """The proxy on ``host:port`` (0: a free port), forwarding to the sandbox at ``upstream``
    (``http://127.0.0.1:8080``). ``start()`` serves in a thread; ``stop()`` ends it and every
    open tunnel."""

    def __init__(self, upstream, ca, host="127.0.0.1", port=0, sandbox=None, listener=None):
        target = urlsplit(upstream)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise ValueError(f"the sandbox URL must be http://host:port, not {upstream!r}")
        self.upstream = upstream.rstrip("/")
        self.ca, self.sandbox = ca, sandbox
        self._server = _Server((host, port), _ProxyHandler, bind_and_activate=listener is None)
        if listener is not None:  # bound by the caller (its port error said before anything started)
            self._server.socket.close()
            self._server.socket = listener
            self._server.server_address = listener.getsockname()
            listener.listen(128)
        self._server.proxy = self
        self._thread = self._owner = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        host = self._server.server_address[0]
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{self.port}"

    def environment(self):
        """The variables that send a stock client through this proxy, trusting its CA."""
        env = {"HTTPS_PROXY": self.url, "https_proxy": self.url}
        env.update({name: str(self.ca.cert_path) for name in CA_VARIABLES})
        return env

    def start(self):
        self._owner = os.getpid()
        self._thread = threading.Thread(target=self._server.serve_forever, name="trustpilot-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._thread is not None and os.getpid() != self._owner:
            # A forked child (a server worker leaving through serve's finally) has a copy of the
            # socket but not the thread: waiting for the thread would hang the worker forever.
            self._server.socket.close()
            return
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self._server.close_connections()

    def __enter__(self):
        return self if self._thread is not None else self.start()

    def __exit__(self, *exc):
        self.stop()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, *args, **kwargs):
        self._open = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        request.settimeout(IDLE_SECONDS)
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """Unblock every connection's thread (it ends on the closed socket)."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        log.warning("proxy: a connection from %s ended in an error", client_address[0], exc_info=True)


class _Forwarding(BaseHTTPRequestHandler):
    """What the proxy's two layers share: read a request, send it to the sandbox, relay the answer."""

    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # a request line too broken to name one still gets a status line
    timeout = IDLE_SECONDS
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s: %(explain)s\n"
    server_version = "trustpilot-mock-proxy"

    @property
    def proxy(self):
        return self.server.proxy

    def handle(self):
        try:
            super().handle()
        except OSError as exc:  # the client went away mid-request (TLS errors included): its connection only
            log.info("proxy: the connection from %s ended: %s", self.client_address[0], exc)

    def forward(self, host, scheme, path):
        try:
            body = self._body()
        except _BadBody as exc:
            self.close_connection = True
            return self.send_error(exc.status, exc.reason, f"{exc}")
        proxy = self.proxy
        target = urlsplit(proxy.upstream)
        headers = [(k, v) for k, v in self.headers.items() if not _dropped(k, self.headers)]
        headers += [("Host", host), ("X-Forwarded-Proto", scheme)]
        if proxy.sandbox:
            headers.append((SANDBOX_HEADER, proxy.sandbox))
        kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        connection = kind(target.hostname, target.port, timeout=UPSTREAM_SECONDS)
        try:
            connection.putrequest(self.command, target.path + path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            answer = connection.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            log.warning("proxy: the sandbox at %s did not answer %s %s%s: %s", proxy.upstream, self.command,
                        host, path.split("?")[0], exc)
            self.close_connection = True
            return self.send_error(502, "Bad Gateway", f"the sandbox at {proxy.upstream} did not answer ({exc}); "
                                                       "is trustpilot-mock serve still running?")
        finally:
            connection.close()
        self._relay(answer, data)

    def _body(self):
        """The request's body (Content-Length or chunked), None when it has none."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        if not length.strip().isdigit():
            raise _BadBody(400, "Bad Request", f"Content-Length must be a number of bytes, not {length!r}")
        if int(length) >= MAX_BODY:
            raise _BadBody(413, "Content Too Large", f"the body ({length} bytes) is larger than the sandbox takes")
        data = self.rfile.read(int(length))
        if len(data) < int(length):
            raise _BadBody(400, "Bad Request", f"the body ended after {len(data)} of {length} bytes")
        return data

    def _chunked(self):
        parts, size = [], 0
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                chunk = int(line, 16)
            except ValueError:
                raise _BadBody(400, "Bad Request", f"a chunk size must be hexadecimal, not {line[:40]!r}") from None
            size += chunk
            if size >= MAX_BODY:
                raise _BadBody(413, "Content Too Large", "the chunked body is larger than the sandbox takes")
            if chunk == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):  # trailers: dropped
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(chunk))
            self.rfile.readline(3)

    def _relay(self, answer, data):
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        if self.command == "HEAD":
            if answer.getheader("Content-Length"):
                self.send_header("Content-Length", answer.getheader("Content-Length"))
        elif answer.status >= 200 and answer.status not in (204, 304):
            self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def refuse(self, status, reason, explanation):
        log.warning("proxy: refused %s %s from %s: %s", self.command, self._where(), self.client_address[0],
                    explanation)
        self.close_connection = True
        body = f"{status} {reason}: {explanation}\n".encode()
        self.send_response_only(status, reason)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _where(self):
        return urlsplit(self.path)._replace(query="").geturl() if "://" in self.path else self.path.split("?")[0]

    def log_request(self, code="-", size="-"):
        pass  # the sandbox's journal records every request; the proxy logs only what it refuses

    def log_error(self, format, *args):
        if args and isinstance(args[0], int) and args[0] == 400:  # a malformed request: not its text (secrets)
            log.warning("proxy: a malformed request from %s was answered 400", self.client_address[0])
        else:
            log.warning("proxy: %s", format % args)


class _ProxyHandler(_Forwarding):
    """The proxy's own connection: CONNECT (then TLS, then _TunnelHandler) or an absolute-form request."""

    def do_CONNECT(self):
        host, port = _authority(self.path)
        if host is None:
            return self.refuse(400, "Bad Request", f"CONNECT needs host:port, e.g. CONNECT {HOSTS[0]}:443, "
                                                   f"not {self.path[:100]!r}")
        if host not in HOSTS:
            return self.refuse(403, "Forbidden", _not_trustpilot(host, port))
        if port != 443:
            return self.refuse(403, "Forbidden", f"{host} is served on port 443 only, not {port}")
        context = self.proxy.ca.context(host)
        self.send_response_only(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True  # whatever happens in the tunnel, this connection ends with it
        try:
            tunnel = context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            log.warning("proxy: the TLS handshake for %s with %s failed: %s%s", host, self.client_address[0],
                        getattr(exc, "reason", None) or exc, _trust_hint(exc, self.proxy.ca))
            return
        try:
            _TunnelHandler(tunnel, self.client_address, self.server, host)
        finally:
            try:
                tunnel.close()
            except OSError:
                pass

    def _plain(self):
        target = urlsplit(self.path)
        if target.scheme != "http" or not target.hostname:
            return self.refuse(400, "Bad Request", "this is the Trustpilot sandbox's proxy: send CONNECT "
                                                   f"{HOSTS[0]}:443 (set HTTPS_PROXY to {self.proxy.url}) or an "
                                                   f"absolute http:// URL, not {self.path[:100]!r}")
        try:
            port = target.port or 80
        except ValueError:
            return self.refuse(400, "Bad Request", f"the URL's port is not a number: {self.path[:100]!r}")
        host = target.hostname.lower()
        if host not in HOSTS:
            return self.refuse(403, "Forbidden", _not_trustpilot(host, port))
        if port != 80:
            return self.refuse(403, "Forbidden", f"{host} is served over http on port 80 only, not {port}")
        self.forward(host, "http", target._replace(scheme="", netloc="").geturl() or "/")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _plain


class _TunnelHandler(_Forwarding):
    """The requests inside one TLS tunnel to a Trustpilot host: each goes to the sandbox as that host."""

    def __init__(self, request, client_address, server, host):
        self.tunnel_host = host
        super().__init__(request, client_address, server)

    def _tunnelled(self):
        path = self.path
        if "://" in path:  # absolute-form inside the tunnel: only its path counts
            path = urlsplit(path)._replace(scheme="", netloc="").geturl() or "/"
        if not path.startswith("/"):
            return self.refuse(400, "Bad Request", f"the request target must be a path, not {path[:100]!r}")
        self.forward(self.tunnel_host, "https", path)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _tunnelled


class _BadBody(Exception):
    def __init__(self, status, reason, message):
        super().__init__(message)
        self.status, self.reason = status, reason


def _authority(text):
    """(host, port) of a CONNECT target ``host:port`` (host lower-cased), or (None, None)."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]").lower()
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536 or any(c in host for c in "/@ "):
        return None, None
    return host, int(port)


def _not_trustpilot(host, port):
    return (f"{host}:{port} is not a Trustpilot host; this proxy serves only {', '.join(HOSTS)} "
            "(from the local sandbox) and never connects to the internet")


def _dropped(name, headers):
    """Hop-by-hop headers, those the Connection header names, and forwarding headers the proxy sets."""
    lower = name.lower()
    named = {token.strip().lower() for value in headers.get_all("Connection", []) for token in value.split(",")}
    return lower in HOP_BY_HOP or lower in named or lower.startswith("x-forwarded-") or lower == SANDBOX_HEADER.lower()


def _trust_hint(exc, ca):
    text = str(exc).lower()
    if "unknown ca" in text or "certificate unknown" in text or "bad certificate" in text:
        return (f" (the client does not trust the proxy's CA: point REQUESTS_CA_BUNDLE, SSL_CERT_FILE, "
                f"NODE_EXTRA_CA_CERTS or CURL_CA_BUNDLE at {ca.cert_path})")
    return ""


def start_for_serve(host, port, proxy_port, ca_folder=None, quiet=False):
    """``serve --proxy-port``: (the proxy, started; the sandbox's port, chosen now when ``port`` is 0
    so the proxy knows where to forward). Prints the proxy's address and the CA's path, even with
    --quiet: a caller cannot guess them. Raises PortUnavailable (the sandbox's port) or
    ProxyUnavailable before starting anything."""
    from .ports import PortUnavailable, reserve
    from .proxy_ca import CaProblem, LocalCA

    asked_port = port
    probe = reserve(host, port)  # the sandbox's port: taken is said before the proxy starts
    port = probe.getsockname()[1]
    probe.close()
    try:
        listener = reserve(host, proxy_port)
    except PortUnavailable as exc:
        raise ProxyUnavailable(str(exc).replace("with --port", "with --proxy-port")
                               .replace("pass --port 0", "pass --proxy-port 0")) from None
    try:
        ca = LocalCA(ca_folder)
    except CaProblem as exc:
        listener.close()
        raise ProxyUnavailable(str(exc)) from None
    loopback = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    upstream = f"http://{f'[{loopback}]' if ':' in loopback else loopback}:{port}"
    proxy = TrustpilotProxy(upstream, ca, listener=listener).start()
    if quiet and asked_port == 0:  # serve prints it only for a port it chose itself
        print(f"Serving on {upstream}", flush=True)
    print(f"Proxy mode on {proxy.url} (set HTTPS_PROXY to it): {', '.join(HOSTS)} answered by the sandbox at "
          f"{upstream}; any other host is refused", flush=True)
    print(f"Proxy CA certificate ({'made now' if ca.created else 'reused'}): {ca.cert_path} (set "
          f"{', '.join(CA_VARIABLES)} to it)", flush=True)
    return proxy, port
