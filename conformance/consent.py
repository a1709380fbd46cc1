"""The customer's side of the authorization-code grant, done the way a browser would.

Open where the integration starts consent (its "Connect Trustpilot" URL, or the URL its command
printed), follow redirects to the Trustpilot login page (or the page's link to it), submit the
login form as the customer's admin, and stop at the redirect back to the integration: the
checks decide whether (and how often) that callback is delivered, forged or replayed.
"""

import re
from html import unescape
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from .browsers import BrowserError, link_to
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


def printed_url(outcome):
    """The consent URL a command printed (its last URL), or ConsentProblem."""
    urls = URL_IN_TEXT.findall(outcome.output)
    if not outcome.ok or not urls:
        raise ConsentProblem(f"the consent trigger did not give a URL to open ({outcome.outcome}): "
                             f"{outcome.output[-300:]!r}")
    return urls[-1]


def authorize(browser, start_url, authenticate_url, username, password):
    """From the integration's consent start to the callback URL, signing in as ``username``.
    The steps hold the customer's visit to the integration; the sandbox's journal shows the rest."""
    steps = []
    try:
        page = browser.open(start_url)
        steps.append(Step("Customer", "Integration", f"GET {urlsplit(start_url).path} (Connect Trustpilot)",
                          "followed", page.status < 400 or page.url.startswith(authenticate_url)))
        if not page.url.startswith(authenticate_url):
            link = link_to(page.text, page.url, authenticate_url)
            if link is None:
                raise ConsentProblem(f"consent started at {start_url} ended at {page.url} (HTTP {page.status}), "
                                     f"which is not the Trustpilot login page ({authenticate_url}) and has no "
                                     "link to it")
            page = browser.open(link)
        if page.status != 200:
            raise ConsentProblem(f"the Trustpilot login page refused the request (HTTP {page.status}): "
                                 f"{_error_text(page.text)}; login URL: {page.url}")
        answer = browser.sign_in(page, username, password)
    except BrowserError as exc:
        raise ConsentProblem(str(exc)) from None
    if answer.status != 302 or not answer.location:
        raise ConsentProblem(f"signing in on the login page answered HTTP {answer.status}: {_error_text(answer.text)}")
    return Authorization(page.url, answer.location, steps)


def deliver(browser, callback_url, steps, label="GET callback (code, state)", refusal_expected=False):
    """The browser following the redirect back to the integration; (status, body) or (None, error).
    The arrow is red when the answer is not the expected one (a refusal for a forged or replayed one)."""
    status, body = browser.get(callback_url)
    accepted = status is not None and status < 400
    steps.append(Step("Customer", "Integration", label, str(status) if status else "no answer",
                      accepted != refusal_expected))
    return status, body


def _error_text(page):
    """The login page's error as text: its entities decoded, so that a report escapes it only once."""
    match = re.search(r'id="error"[^>]*>([^<]*)<', page or "")
    return unescape(match.group(1).strip() if match else re.sub(r"<[^>]+>", " ", page or "").strip()[:300])
