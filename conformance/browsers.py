"""The customer's browser during consent: plain HTTP (requests, the default) or real headless Chromium.

Both keep the integration's cookies across the consent, open pages following redirects, sign in
on the Trustpilot login form, and stop at the redirect back to the integration so that the
checks decide how the callback is delivered (genuine, replayed, forged). Chromium is Debian's
(`/usr/bin/chromium`), driven by Playwright (`pip install playwright`; `playwright install`
is not needed).
"""

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

from .http import fetch

CHROMIUM = "/usr/bin/chromium"
PAGE_SECONDS = 30  # for a whole page to arrive (a page that trickles forever is a failed step)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


class BrowserError(Exception):
    """The browser could not do what consent needs; the message says what and where."""


@dataclass
class Page:
    url: str
    status: int
    text: str


@dataclass
class SignIn:
    """What the login form's submission answered: a redirect (``location``) or an error page."""
    status: int
    location: str | None
    text: str


class HttpBrowser:
    """requests with a cookie jar: what the kit uses unless asked for Chromium."""

    name = "http"

    def __init__(self, proxy=None):
        self.session = requests.Session()
        if proxy is not None:  # proxy mode: https through the check's proxy, trusting its CA
            self.session.trust_env = False  # else REQUESTS_CA_BUNDLE from the kit's environment wins
            self.session.proxies = {"https": proxy.url}
            self.session.verify = str(proxy.ca.cert_path)

    def open(self, url):
        try:
            answer = fetch(self.session, "GET", url, PAGE_SECONDS)
        except requests.RequestException as exc:
            raise BrowserError(f"opening {url} failed: {exc}") from None
        return Page(answer.url, answer.status, answer.text)

    def sign_in(self, page, username, password):
        form = login_form(page.text, page.url)
        if form is None:
            raise BrowserError(f"no login form on {page.url}")
        action, fields = form
        fields.update(username=username, password=password)
        try:
            answer = fetch(self.session, "POST", action, PAGE_SECONDS, data=fields, allow_redirects=False)
        except requests.RequestException as exc:
            raise BrowserError(f"submitting the login form to {action} failed: {exc}") from None
        location = answer.headers.get("Location")
        return SignIn(answer.status, urljoin(action, location) if location else None, answer.text)

    def get(self, url):
        try:
            answer = fetch(self.session, "GET", url, PAGE_SECONDS)
        except requests.RequestException as exc:
            return None, str(exc)
        return answer.status, answer.text

    def close(self):
        self.session.close()


class ChromiumBrowser:
    """Real headless Chromium; the login form is filled and submitted as a person would."""

    name = "chromium"

    def __init__(self, proxy=None):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise BrowserError("--browser chromium needs Playwright: pip install playwright") from None
        self._playwright = sync_playwright().start()
        # Proxy mode: Chromium reaches the Trustpilot hosts through the check's proxy (loopback, the
        # integration's own pages, goes direct). Chromium takes a CA only from its own certificate
        # store, so it is told to accept the proxy's certificates instead.
        options = {"proxy": {"server": proxy.url, "bypass": "127.0.0.1,localhost"}} if proxy is not None else {}
        try:
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **options)
        except Exception as exc:
            self._playwright.stop()
            raise BrowserError(f"Chromium did not start from {CHROMIUM}: {exc}") from None
        self._page = self._browser.new_context(ignore_https_errors=proxy is not None).new_page()

    def open(self, url):
        try:
            response = self._page.goto(url, timeout=30000)
        except Exception as exc:
            raise BrowserError(f"opening {url} in Chromium failed: {exc}") from None
        return Page(self._page.url, response.status if response else 0, self._page.content())

    def sign_in(self, page, username, password):
        """Fill and submit the form; the submission is fetched without following its redirect
        (route handlers never see redirects), so the callback is left for the check to deliver."""
        answered = {}

        def submission(route):
            if route.request.method != "POST":
                return route.continue_()
            response = route.fetch(max_redirects=0)
            answered.update(status=response.status, location=response.headers.get("location"), text=response.text())
            route.fulfill(status=200, content_type="text/html", body="<p>Signed in.</p>")

        def is_form_target(url):
            return url.split("?")[0] == page.url.split("?")[0]

        self._page.route(is_form_target, submission)
        try:
            self._page.fill("input[name=username]", username)
            self._page.fill("input[name=password]", password)
            with self._page.expect_navigation(timeout=30000):
                self._page.click("form [type=submit]")
        except Exception as exc:
            raise BrowserError(f"signing in on {page.url} in Chromium failed: {exc}") from None
        finally:
            self._page.unroute(is_form_target, submission)
        location = answered.get("location")
        return SignIn(answered.get("status", 0), urljoin(page.url, location) if location else None,
                      answered.get("text", ""))

    def get(self, url):
        try:
            response = self._page.goto(url, timeout=30000)
        except Exception as exc:
            return None, str(exc)
        return (response.status if response else None), self._page.content()

    def close(self):
        self._browser.close()
        self._playwright.stop()


BROWSERS = {"http": HttpBrowser, "chromium": ChromiumBrowser}


def login_form(html, base):
    """(absolute action, {hidden field: value}) of the page's form with a password field, or None."""
    parser = _Forms()
    parser.feed(html or "")
    for action, fields in parser.forms:
        if "password" in fields:
            return urljoin(base, action or base), {k: v for k, v in fields.items() if k not in ("username", "password")}
    return None


def link_to(html, base, prefix):
    """The first link or form target on the page that starts with ``prefix``."""
    parser = _Forms()
    parser.feed(html or "")
    for url in parser.links + [action for action, _ in parser.forms if action]:
        absolute = urljoin(base, url)
        if absolute.startswith(prefix):
            return absolute
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
