"""The login page of authenticate.trustpilot.com (served at /authenticate, and at / when asked
with any of its parameters, as on the real host): a real HTML form a browser submits."""

from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, redirect, render_template, request

from ..state import errors
from ..web.request import sandbox

bp = Blueprint("authenticate", __name__)
PAGE_FIELDS = ("client_id", "redirect_uri", "response_type", "state", "scope")


def _page_args():
    """The page's parameters, from the query string or the form's hidden fields (never both, differing)."""
    for name in PAGE_FIELDS:
        query, form = request.args.get(name), request.form.get(name)
        if query is not None and form is not None and query != form:
            raise errors.LoginPageError(f"'{name}' is sent twice with different values: {query!r} in the "
                                        f"query string and {form!r} in the form; send it once")
    return {name: request.values.get(name) for name in PAGE_FIELDS if request.values.get(name) is not None}


@bp.get("/authenticate")
def show_login_page():
    args = _page_args()
    shown = sandbox().oauth.start_authorization(args.get("client_id"), args.get("redirect_uri"), args.get("response_type"))
    return render_template("login.html", args=args, application=shown["application"], error=None)


@bp.post("/authenticate")
def submit_login():
    args = _page_args()
    params = sandbox().oauth.authorize(args.get("client_id"), args.get("redirect_uri"), args.get("response_type"),
                                 request.form.get("username"), request.form.get("password"))
    if "state" in args:
        params["state"] = args["state"]
    return redirect(_with_params(args["redirect_uri"], params, fragment=args["response_type"] == "token"), 302)


def _with_params(uri, params, fragment):
    parts = urlsplit(uri)
    if fragment:
        return urlunsplit(parts._replace(fragment=urlencode(params)))
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))
