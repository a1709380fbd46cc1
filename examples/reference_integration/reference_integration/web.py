"""The integration's web app: health, the customers page, Connect Trustpilot and the OAuth callback.

A ThreadingHTTPServer on 127.0.0.1, where the redirect URI registered with Trustpilot points.
"""

import re
import sys
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import reference_integration as ri
from .config import API_BASE_URL, AUTHENTICATE_URL, DATA, IntegrationError
from .consent import CALLBACK_PATH, ConsentRejected

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>{title}</h1>
{body}
</body></html>
"""


def page(status, title, body, **headers):
    """A response: status, HTML text and extra headers."""
    return status, "text/html; charset=utf-8", TEMPLATE.format(title=escape(title), body=body), headers


def health(query, port):
    return 200, "text/plain; charset=utf-8", "ok\n", {}


def customers_page(query, port):
    """A small human page: every onboarded customer and a Connect Trustpilot link."""
    rows = []
    for business_unit_id, customer in sorted(ri.read_state()["customers"].items()):
        link = "/trustpilot/connect?" + urlencode({"businessUnitId": business_unit_id})
        status = "connected" if customer.get("token") else "not connected"
        rows.append(f"<li>{escape(customer.get('displayName', ''))} ({escape(customer.get('domain', ''))}): "
                    f"{status} - <a href=\"{escape(link)}\">Connect Trustpilot</a></li>")
    body = (f"<ul>{''.join(rows)}</ul>" if rows else
            "<p>No customer is onboarded yet: run <code>onboard DOMAIN</code>.</p>")
    return page(200, "Trustpilot customers", body)


def connect(query, port):
    """Connect Trustpilot: send the customer's browser to Trustpilot's login page."""
    business_unit_id = query.get("businessUnitId", "")
    if business_unit_id not in ri.read_state()["customers"]:
        return page(404, "Not onboarded", f"<p>Business unit {escape(business_unit_id)} is not onboarded yet: "
                                          "onboard the customer's domain first.</p>")
    location = ri.consent_redirect(business_unit_id, port)
    return page(302, "Connect Trustpilot", f'<p><a href="{escape(location)}">Sign in at Trustpilot</a></p>',
                Location=location)


def callback(query, port):
    """Back from Trustpilot's login page with ?code=..&state=.. (or ?error=..)."""
    business_unit_id = ri.complete_consent(query)
    name = ri.read_state()["customers"][business_unit_id].get("displayName", business_unit_id)
    return page(200, "Connected", f"<p>{escape(name)} is connected to Trustpilot. You can close this window.</p>")


ROUTES = {"/health": health, "/": customers_page, "/trustpilot/connect": connect, CALLBACK_PATH: callback}


class Handler(BaseHTTPRequestHandler):
    server_version = "ReferenceIntegration/1.0"

    def do_GET(self):
        url = urlsplit(self.path)
        route = ROUTES.get(url.path)
        try:
            if route is None:
                response = page(404, "Not found", "<p>No such page.</p>")
            else:
                response = route(dict(parse_qsl(url.query)), self.server.server_port)
        except ConsentRejected as exc:
            response = page(400, "Could not connect Trustpilot", f"<p>{escape(ri.redact(str(exc)))}</p>")
        except IntegrationError as exc:
            response = page(502, "Trustpilot problem", f"<p>{escape(ri.redact(str(exc)))}</p>")
        except Exception as exc:  # a bug here must not show a traceback (or a secret) to the customer
            self.log_message("internal error: %s", type(exc).__name__)
            response = page(500, "Internal error", "<p>Something went wrong on our side.</p>")
        self._send(*response)

    def _send(self, status, content_type, text, headers):
        data = text.encode("utf-8")
        self.send_response(status)
        for name, value in {"Content-Type": content_type, "Content-Length": str(len(data)),
                            "Cache-Control": "no-store", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        # The default logs whole request lines: the callback's code and state would land in the log.
        message = re.sub(r"\?\S*", "?...", format % args)
        sys.stderr.write(f"{self.log_date_time_string()} {ri.redact(message)}\n")


def serve(port):
    """Run the web app on 127.0.0.1:port until stopped."""
    for name in (DATA, API_BASE_URL, AUTHENTICATE_URL):
        ri.env(name)  # fail at start, not at the first customer
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"Reference integration on http://127.0.0.1:{server.server_port}/ (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
