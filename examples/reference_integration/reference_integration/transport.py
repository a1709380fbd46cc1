"""The one HTTP helper every Trustpilot call goes through: bounded retries, then a clear error.

429: wait what Retry-After says (at most 5 s a wait), at most 3 times. 500/502/503/504 or a
dropped connection: retry after 0.2, 0.4 and 0.8 s, at most 3 times. Never loops forever.
http.client rather than urllib.request: the same standard library, but a command starts faster.
"""

import http.client
import json
import time
from urllib.parse import urlsplit

import reference_integration as ri
from .config import IntegrationError

TIMEOUT_SECONDS = 10
RATE_LIMIT_RETRIES = 3
MAX_RETRY_AFTER_SECONDS = 5.0
DEFAULT_RETRY_AFTER_SECONDS = 1.0          # a 429 without a usable Retry-After
SERVER_ERRORS = (500, 502, 503, 504)
BACKOFF_SECONDS = (0.2, 0.4, 0.8)          # before the 1st, 2nd and 3rd retry


class Response:
    """What came back: status, lower-cased headers and the raw body."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise IntegrationError(f"Trustpilot answered HTTP {self.status} with a body that is not JSON") from None


def send_once(method, url, headers, body=None):
    """One HTTP exchange; raises OSError or http.client.HTTPException when the connection fails."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers)
        response = connection.getresponse()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def send_with_retries(method, url, headers=None, body=None):
    """Send, retrying what is worth retrying; returns the final Response (any status but 429/5xx)."""
    where = f"{method} {urlsplit(url).path}"  # no query string: nothing secret in messages
    rate_limited = failed = 0
    while True:
        try:
            response = ri.send_once(method, url, headers or {}, body)
        except (OSError, http.client.HTTPException) as exc:
            response, problem = None, f"the connection failed ({type(exc).__name__})"
        else:
            problem = f"it answered HTTP {response.status}"
        if response is not None and response.status == 429:
            if rate_limited == RATE_LIMIT_RETRIES:
                raise IntegrationError(f"Trustpilot rate-limited {where} {RATE_LIMIT_RETRIES + 1} times in a row; "
                                       "try again later")
            rate_limited += 1
            time.sleep(_retry_after(response))
        elif response is None or response.status in SERVER_ERRORS:
            if failed == len(BACKOFF_SECONDS):
                raise IntegrationError(f"Trustpilot is unavailable: {where} failed {failed + 1} times, last "
                                       f"{problem}; try again later")
            time.sleep(BACKOFF_SECONDS[failed])
            failed += 1
        else:
            return response


def _retry_after(response):
    try:
        seconds = float(response.headers.get("retry-after", ""))
    except ValueError:  # absent, or an HTTP date: do not parse dates for a 5 s cap
        seconds = DEFAULT_RETRY_AFTER_SECONDS
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def describe_error(response):
    """The reason in an error body, whichever of Trustpilot's error shapes it has, on one line."""
    try:
        body = json.loads(response.body)
    except ValueError:
        body = None
    reason = None
    if isinstance(body, dict):
        fault = body.get("fault")
        if isinstance(fault, dict):               # gateway: {"fault": {"faultstring": ...}}
            reason = fault.get("faultstring")
        elif body.get("message") or body.get("details"):   # API: {message, errorCode, details}
            reason = ": ".join(str(body[k]) for k in ("message", "details") if body.get(k))
        else:                                     # token endpoint: {ErrorCode, Error} / RFC 6749
            reason = body.get("error_description") or body.get("Error") or body.get("error")
    if not reason:
        reason = response.body.decode("utf-8", "replace")[:200] or "no details"
    return " ".join(str(reason).split())


def checked(response, what, *ok_statuses):
    """The parsed body of a response whose status is one of ``ok_statuses``, else an error that
    says what we were doing and what Trustpilot said."""
    if response.status in ok_statuses:
        return response.json()
    raise IntegrationError(f"could not {what}: Trustpilot answered HTTP {response.status}: "
                           f"{ri.describe_error(response)}")
