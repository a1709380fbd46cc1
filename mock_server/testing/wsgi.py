"""A ``requests`` transport adapter that calls a WSGI app directly: no socket, no thread.

Written here rather than taken from PyPI: ``requests-wsgi-adapter`` had its last release in
2019, and werkzeug (already a dependency through Flask) does the WSGI half in a few lines.
The response goes through ``HTTPAdapter.build_response``, so cookies, redirects, encodings and
``response.raw`` behave as over a real connection.
"""

import io
from http.client import HTTPMessage, responses
from urllib.parse import urlsplit

from requests.adapters import BaseAdapter, HTTPAdapter
from requests.exceptions import ConnectionError  # noqa: A004 - requests' own, as HTTPAdapter raises
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict
from werkzeug.test import EnvironBuilder, run_wsgi_app


class WSGIAdapter(BaseAdapter):
    """Mount on a ``requests.Session`` for a base URL: every request under it is served by ``app``."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        parts = urlsplit(request.url)
        builder = EnvironBuilder(path=parts.path or "/", query_string=parts.query, method=request.method,
                                 base_url=f"{parts.scheme}://{parts.netloc}", headers=dict(request.headers),
                                 data=_body_bytes(request.body))
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        try:
            app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
            try:
                body = b"".join(app_iter)
            finally:
                getattr(app_iter, "close", lambda: None)()
        except ConnectionResetError as exc:  # a fault rule dropped the connection: what a socket would raise
            raise ConnectionError(exc, request=request) from exc
        return HTTPAdapter.build_response(self, request, _urllib3_response(status, headers, body))

    def close(self):
        pass


def _body_bytes(body):
    if body is None or isinstance(body, bytes):
        return body or b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):  # a file given as data=
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in body)  # a generator


def _urllib3_response(status, headers, body):
    code = int(status.split(" ", 1)[0])
    message = HTTPMessage()  # what requests' cookie jar reads Set-Cookie from
    for name, value in headers.items():
        message[name] = value
    return HTTPResponse(body=io.BytesIO(body), headers=HTTPHeaderDict(list(headers.items())), status=code,
                        reason=status.partition(" ")[2] or responses.get(code, ""), preload_content=False,
                        decode_content=False, original_response=_Message(message))


class _Message:
    """Stands for the http.client response urllib3 wraps: its headers, and always finished."""

    def __init__(self, msg):
        self.msg = msg

    def isclosed(self):
        return True

    def close(self):
        pass
