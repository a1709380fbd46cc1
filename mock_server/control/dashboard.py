"""/_mock/dashboard: one HTML page over the control plane (sandboxes, world, journal, clock, faults).

Plain HTML, CSS and JavaScript (templates/dashboard.*), inlined into the page so the dashboard
is one route and one request; everything it shows it fetches from the control plane's own JSON
routes, relative to the sandbox it is opened in.
"""

from flask import Blueprint, render_template, request

from ..web.request import SANDBOX_PREFIX, sandbox

bp = Blueprint("dashboard", __name__, url_prefix="/_mock")


@bp.get("/dashboard")
def show_dashboard():
    name = sandbox().name  # an unknown sandbox is a 404 here, not a page that cannot load
    root = request.script_root  # the server's root: without this sandbox's /_sandbox/<name> part
    if name != "default":
        root = root[: -len(SANDBOX_PREFIX + name)]
    html = render_template("dashboard.html", sandbox=name, control=request.script_root + "/_mock", root=root)
    return html, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                       "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                                                  "style-src 'unsafe-inline'; frame-ancestors 'none'"}
