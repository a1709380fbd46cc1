"""The customer's side of the authorization-code grant, done the way a browser would.

Open where the integration starts consent (its "Connect Trustpilot" URL, or the URL its command
printed), follow redirects to the Trustpilot login page (or the page's link to it), submit the
login form as the customer's admin, and stop at the redirect back to the integration: the
checks decide whether (and how often) that callback is delivered, forged or replayed.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from .results import Step

URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>]+")


class ConsentProblem(Exception):
    """The consent could not be given; the message says at which step and what was seen."""


@dataclass
class Authorization:
    """Where the login page was reached, and the callback the customer's browser would follow."""
    login_url: str                 # the authenticate URL with client_id, redirect_uri, state, ...
    callback_url: str              # redirect_uri?code=...&state=...
    steps: list = field(default_factory=list)

    @property
    def login_query(self):
        return {key: values[0] for key, values in parse_qs(urlsplit(self.login_url).query).items()}

    @property
    def callback_query(self):
        return {key: values[0] for key, values in parse_qs(urlsplit(self.callback_url).query).items()}


def authorize(session, start, authenticate_url, username, password):
    """From ``start`` (a trigger Outcome) to the callback URL, signing in as ``username``."""
    steps = []
    response = _start_page(session, start, steps)
    if not response.url.startswith(authenticate_url):
        link = _link_to(response.text, response.url, authenticate_url)
        if link is None:
            raise ConsentProblem(f"consent started at {start.target} ended at {response.url} "
                                 f"(HTTP {response.status_code}), which is not the Trustpilot login page "
                                 f"({authenticate_url}) and has no link to it")
        response = _get(session, link, steps)
    if response.status_code != 200:
        raise ConsentProblem(f"the Trustpilot login page refused the request (HTTP {response.status_code}): "
                             f"{_error_text(response.text)}; login URL: {response.url}")
    login_url = response.url
    form = _login_form(response.text, response.url)
    if form is None:
        raise ConsentProblem(f"no login form on {response.url}")
    action, fields = form
    fields.update(username=username, password=password)
    answer = session.post(action, data=fields, allow_redirects=False, timeout=30)
    steps.append(Step("Customer", "Trustpilot", "POST /authenticate (signs in, allows access)",
                      str(answer.status_code), answer.status_code == 302))
    if answer.status_code != 302 or "Location" not in answer.headers:
        raise ConsentProblem(f"signing in on the login page answered HTTP {answer.status_code}: "
                             f"{_error_text(answer.text)}")
    return Authorization(login_url, urljoin(action, answer.headers["Location"]), steps)


def deliver(session, callback_url, steps, label="GET callback (code, state)"):
    """The browser following the redirect back to the integration; (status, body) or (None, error)."""
    try:
        response = session.get(callback_url, timeout=30)
    except requests.RequestException as exc:
        steps.append(Step("Customer", "Integration", label, "no answer", False))
        return None, str(exc)
    steps.append(Step("Customer", "Integration", label, str(response.status_code), response.ok))
    return response.status_code, response.text


def _start_page(session, start, steps):
    """The page the consent start leads to: a url trigger's own answer, or the printed URL opened."""
    if start.url is not None:  # a url trigger: requests already followed its redirects
        path = urlsplit(start.target.split(" ", 1)[-1]).path
        steps.append(Step("Customer", "Integration", f"GET {path} (Connect Trustpilot)",
                          "followed" if start.ok else start.outcome, start.ok or start.status == 400))
        return _Page(start.url, start.status or 0, start.output)
    urls = URL_IN_TEXT.findall(start.output)
    if not start.ok or not urls:
        raise ConsentProblem(f"the consent trigger did not give a URL to open ({start.outcome}): "
                             f"{start.output[-300:]!r}")
    return _get(session, urls[-1], steps)


@dataclass
class _Page:
    url: str
    status_code: int
    text: str


def _get(session, url, steps):
    try:
        response = session.get(url, timeout=30)
    except requests.RequestException as exc:
        raise ConsentProblem(f"opening {url} failed: {exc}") from None
    steps.append(Step("Customer", "Trustpilot", f"GET {urlsplit(response.url).path} (login page)",
                      str(response.status_code), response.ok))
    return response


def _error_text(html):
    match = re.search(r'id="error"[^>]*>([^<]*)<', html or "")
    return match.group(1).strip() if match else (html or "").strip()[:300]


def _link_to(html, base, prefix):
    parser = _Forms()
    parser.feed(html or "")
    for url in parser.links:
        absolute = urljoin(base, url)
        if absolute.startswith(prefix):
            return absolute
    return None


def _login_form(html, base):
    parser = _Forms()
    parser.feed(html or "")
    for action, fields in parser.forms:
        if "password" in fields:
            return urljoin(base, action or base), {k: v for k, v in fields.items() if k not in ("username", "password")}
    return None


class _Forms(HTMLParser):
    """The forms (action, {input name: value}) and link targets of a page."""

    def __init__(self):
        super().__init__()
        self.forms, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action"), {}))
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
