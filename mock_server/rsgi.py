"""The emulator's WSGI app behind granian's RSGI interface (server.py): whole requests only.

Why not granian's own WSGI interface: it calls the app as soon as the headers are in, so a
client that declares ``Content-Length: 1000`` and sends ten bytes holds a Python thread until it
hangs up, and granian has no body timeout. Here the worker's event loop reads the whole body
first, within ``body_seconds``; only complete requests reach Flask, one at a time per worker
(the app's work is short and CPU-bound: threads would only add GIL hand-offs). Half-sent
headers never reach Python at all (granian's ``header_read_timeout`` closes them).

What the app is told through the WSGI environ:
  * ``BODY_TIMEOUT``: (seconds waited, the declared Content-Length or ''): the body did not
    arrive in time. The app answers 408 in its own error
    shape (app.py), so the journal records it like any other refusal.
  * ``DEFERS_LATENCY``: this server can wait without holding its worker. A fault rule's
    latency (api/faults.py) is then put in ``LATENCY`` instead of slept, and awaited here
    before the answer is sent: a slow answer no longer delays the requests queued behind it.

A fault rule that drops the connection raises ConnectionResetError from the response body.
RSGI has no way to close a connection without answering (granian would send a 500), so the
connection's socket is shut down here, through this process's descriptor for it: the client
sees the connection closed with no response at all, as it did under gunicorn.
"""

import asyncio
import io
import os
import socket
import sys

BODY_TIMEOUT = "sandbox.body_timeout"
DEFERS_LATENCY = "sandbox.defers_latency"
LATENCY = "sandbox.latency"
_LOOPBACK = ("127.0.0.1", "::1")
_CGI_HEADERS = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}


class WsgiOverRsgi:
    def __init__(self, wsgi_app, body_seconds, max_body):
        """``max_body``: bytes past which the body is not read (the app answers 413 from the
        declared length), so a huge upload never fills this process's memory."""
        from granian.rsgi import ProtocolClosed, ProtocolError  # here: the app imports this module's names

        self.wsgi_app = wsgi_app
        self.body_seconds = body_seconds
        self.max_body = max_body
        self._client_gone = (ProtocolClosed, ProtocolError)

    async def __rsgi__(self, scope, proto):
        if scope.proto != "http":
            return
        environ = _environ(scope)
        try:
            body = await self._body(environ, proto)
        except self._client_gone:
            return  # the client left before its request was complete: nobody to answer
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            status, headers, content = _call(self.wsgi_app, environ)
        except ConnectionResetError:  # a fault rule's dropped connection (api/faults.py)
            if LATENCY in environ:
                await asyncio.sleep(environ[LATENCY])
            _drop(scope)
            return
        if LATENCY in environ:  # no coroutine at all for the requests without latency
            await asyncio.sleep(environ[LATENCY])
        proto.response_bytes(status, headers, content)

    async def _body(self, environ, proto):
        length = environ.get("CONTENT_LENGTH", "")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and length in ("", "0"):
            return b""
        if length.isdigit() and int(length) > self.max_body:
            return b""  # not read: the app refuses the declared length with 413
        try:
            async with asyncio.timeout(self.body_seconds):  # a timer, not wait_for's extra task
                body = await _read(proto, self.max_body, declared=not chunked and length.isdigit())
        except TimeoutError:
            environ[BODY_TIMEOUT] = (self.body_seconds, length)  # seconds waited, the declared length
            environ["CONTENT_LENGTH"] = "0"
            return b""
        # A chunked body past the limit was cut at max_body + 1: the declared length makes the app refuse it.
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return body


async def _read(proto, limit, declared):
    """The body. ``declared``: its Content-Length (at most ``limit``) bounds it, so it is taken
    whole, one hand-off between granian's thread and this one instead of one per chunk and one
    for the end; a chunked body is read chunk by chunk and cut past ``limit``."""
    if declared:
        return await proto()
    chunks, size = [], 0
    async for chunk in proto:
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


def _environ(scope):
    server_host, server_port = _address(scope.server)
    environ = {
        "REQUEST_METHOD": scope.method, "SCRIPT_NAME": "",
        # WSGI's strings are bytes read as Latin-1; granian gives the decoded path as text.
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string, "SERVER_NAME": server_host, "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}", "REMOTE_ADDR": _address(scope.client)[0],
        "wsgi.version": (1, 0), "wsgi.url_scheme": scope.scheme, "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        DEFERS_LATENCY: True,
    }
    for name, value in scope.headers.items():
        key = _CGI_HEADERS.get(name) or "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    # As gunicorn trusts it from loopback only: the proxy mode (proxy.py) and a TLS front on the
    # same machine say the client's scheme, so links come out https.
    forwarded = environ.get("HTTP_X_FORWARDED_PROTO")
    if forwarded in ("http", "https") and environ["REMOTE_ADDR"] in _LOOPBACK:
        environ["wsgi.url_scheme"] = forwarded
    return environ


def _call(wsgi_app, environ):
    started = []

    def start_response(status, headers, exc_info=None):
        started[:] = (status, headers)
        return started.append  # the legacy write(): unused by Flask

    content = whole(wsgi_app(environ, start_response))
    status, headers = started[0], started[1]
    return int(status[:3]), headers, content


def whole(result):
    """A WSGI app's answer (an iterable of bytes) as one bytes, the iterable closed as WSGI asks."""
    try:
        return b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def _address(text):
    """('host', 'port') of granian's 'host:port' or '[v6]:port'."""
    host, _, port = text.rpartition(":")
    return host.strip("[]"), port


def _drop(scope):
    """Shut the client's connection down before any byte of an answer: find this process's
    descriptor for it (the peer's address and our port name one TCP connection)."""
    peer_host, peer_port = _address(scope.client)
    own_port = int(_address(scope.server)[1])
    for name in os.listdir("/proc/self/fd"):
        try:
            if not os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                continue
            with socket.socket(fileno=os.dup(int(name))) as sock:
                if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
                    continue
                peer = sock.getpeername()
                if peer[0] == peer_host and peer[1] == int(peer_port) and sock.getsockname()[1] == own_port:
                    sock.shutdown(socket.SHUT_RDWR)
                    return
        except OSError:
            continue  # not a connected socket (the listener, a pipe, a descriptor closed meanwhile)
