"""What a check works with: its world, the integration pointed at it, and what was seen.

A check calls ``onboard``, ``consent``, ``use_case`` (or ``trigger``) to make the integration act,
reads the sandbox's ``journal()`` to judge, ``note``s what it saw and raises CheckFailed when the
requirement is not met. ``finish()`` turns the whole into redacted Evidence with a sequence picture.
"""

import json
import secrets as random_tokens
import time

import requests
from . import consent
from .browsers import BROWSERS
from .checks import seen
from .checks.base import CheckFailed
from .driver import Outcome
from .redaction import MIN_SECRET_LENGTH, Redactor, world_secrets
from .results import Evidence, Step, Trigger
from .worlds import KIT_API_KEY
from mock_server.state.journal import SECRET_FIELDS

# Query fields the sandbox's journal keeps only the name of (their values are secrets): any of
# them in a URL is a leak ("code" is left out: the authorization code travels in the callback's
# query by design, which is the integration's own URL, not the sandbox's).
SECRET_QUERY_FIELDS = SECRET_FIELDS - {"code"}
KIT_READ_ATTEMPTS = 6
EVIDENCE_LIMIT = 20000  # characters of one output kept in the reports
USE_CASE_VALUES = {
    "ingestion": lambda ctx, c: {},
    "showcase": lambda ctx, c: {},
    "reply": lambda ctx, c: {"review_id": ctx.pick_review(c), "message": ctx.reply_message},
    "invite": lambda ctx, c: {"email": ctx.invitee["email"], "name": ctx.invitee["name"],
                              "reference_id": ctx.invitee["referenceId"]},
}


class CheckContext:
    def __init__(self, manifest, world, integration, browser="http", schedule=None):
        self.manifest, self.world, self.integration = manifest, world, integration
        self.schedule = schedule  # the explorer's: acts before each trigger (e.g. moves the clock)
        self.sandbox = world.sandbox
        # The customer's browser: keeps the integration's cookies (and, in proxy mode, reaches the
        # Trustpilot login page through the check's proxy).
        self.browser = BROWSERS[browser](proxy=integration.proxy)
        self.notes, self.outcomes, self.steps = [], [], []
        self._journal_seen = 0
        nonce = random_tokens.token_hex(3)
        self.reply_message = f"Thank you for your feedback! (conformance reply {nonce})"
        self.invitee = {"email": f"ada.lovelace+{nonce}@example.com", "name": "Ada Lovelace",
                        "referenceId": f"ORDER-{nonce}"}
        self._reviews = {}
        self._redactor = None
        self._world_secrets = None
        self.pages = []  # (where, body) of the integration's pages the customer's browser saw

    # -- making the integration act ------------------------------------------------------------
    def trigger(self, name, customer=None, /, **values):
        if customer is not None:
            values.update(domain=customer.domain, business_unit_id=customer.id)
        if self.schedule is not None:
            self.schedule.before_trigger(self, name, customer)
        outcome = self.integration.trigger(name, **values)
        self.outcomes.append(outcome)
        self.steps.append(Step("Kit", "Integration", f"{name}" + (f" {customer.domain}" if customer else ""),
                               outcome.outcome, outcome.ok))
        self._journal_steps()
        return outcome

    def onboard(self, customer):
        return self.trigger("onboard", customer)

    def onboarded(self, customer):
        """Onboard, and fail the check (as a precondition) when the integration cannot."""
        outcome = self.onboard(customer)
        if not outcome.ok:
            raise CheckFailed(f"could not get this far: onboarding {customer.domain} failed ({outcome.outcome}): "
                              f"{seen.tail(outcome.output)}")
        return outcome

    def authorize(self, customer):
        """Start consent and sign in as the customer's admin; the callback is not delivered yet.
        A consent that cannot be given is the integration's failure (CheckFailed), said from the
        journal: the redirect URI or client id the login page got, or the grant used instead."""
        mark = self._last_seq()
        try:
            return self._authorize(customer)
        except consent.ConsentProblem as exc:
            raise CheckFailed(consent_diagnosis(self, customer, mark, str(exc))) from None

    def _last_seq(self):
        entries = self.sandbox.journal()
        return entries[-1]["seq"] if entries else 0

    def customer_keys(self, customer):
        """The API keys created for ``customer`` so far (the sandbox's state), oldest first."""
        return [a["apiKey"] for a in self.sandbox.state()["applications"] if a["businessUnitId"] == customer.id]

    def _authorize(self, customer):
        definition = self.manifest.trigger("consent")
        if "url" in definition:  # the browser opens it, so that the integration's cookies stay in it
            start_url = self.integration.fill_url(definition["url"], domain=customer.domain,
                                                  business_unit_id=customer.id)
            self.outcomes.append(Outcome("consent", f"GET {start_url}", True, f"opened in the {self.browser.name} "
                                         "browser", "", 0.0, url=start_url))
        else:
            start_url = consent.printed_url(self.trigger("consent", customer))
        try:
            authorization = consent.authorize(self.browser, start_url,
                                              self.integration.authenticate_url or self.sandbox.authenticate_url,
                                              customer.admin_email, customer.admin_password)
        except consent.ConsentProblem:
            self._journal_steps(actor="Customer")
            raise
        self.steps.extend(authorization.steps)
        self._journal_steps(actor="Customer")
        return authorization

    def deliver(self, url, label="GET callback (code, state)", refusal_expected=False):
        status, body = consent.deliver(self.browser, url, self.steps, label, refusal_expected)
        self.pages.append(("callback page", body or ""))
        self._journal_steps()
        return status, body

    def connected(self, customer):
        """Onboard and give consent, failing the check (as a precondition) when either breaks."""
        self.onboarded(customer)
        try:
            authorization = self.authorize(customer)
        except CheckFailed as exc:
            raise CheckFailed(f"could not get this far: consent for {customer.domain}: {exc}") from None
        status, body = self.deliver(authorization.callback_url)
        if status is None or status >= 400:
            raise CheckFailed(f"could not get this far: the integration's callback answered "
                              f"{status or 'nothing'} for {customer.domain}: {seen.tail(body)}")
        return authorization

    def every_use_case(self, customer):
        """Connect the customer, then run each use case the integration claims; their outcomes."""
        self.connected(customer)
        return [self.use_case(name, customer) for name in self.manifest.use_cases]

    def use_case(self, name, customer):
        return self.trigger(name, customer, **USE_CASE_VALUES[name](self, customer))

    def takes(self, trigger, placeholder):
        """Whether the manifest's ``trigger`` uses ``{placeholder}`` (e.g. invite and {reference_id})."""
        return "{" + placeholder + "}" in json.dumps(self.manifest.trigger(trigger) or {})

    def remove_fault(self, rule_id):
        self.sandbox.control("DELETE", f"/faults/{rule_id}")

    def pick_review(self, customer):
        """A review of the customer to reply to: the third newest, so 'always the first' is caught."""
        if customer.id not in self._reviews:
            status, body = self.kit_read(f"/v1/business-units/{customer.id}/reviews", perPage=3)
            reviews = body.get("reviews", []) if status == 200 else []
            if not reviews:
                raise CheckFailed(f"the kit found no review of {customer.domain} to reply to (HTTP {status})")
            self._reviews[customer.id] = reviews[-1]["id"]
        return self._reviews[customer.id]

    def kit_read(self, path, **params):
        """(status, JSON body) of a GET the kit makes with its own key, left out of every judgement.
        A world's faults may land on it too: it waits out a 429 and retries a 5xx or a dropped
        connection a few times, as any careful client would."""
        for attempt in range(KIT_READ_ATTEMPTS):
            try:
                response = self.sandbox.session.get(f"{self.sandbox.api_url}{path}", params=params,
                                                    headers={"apikey": KIT_API_KEY}, timeout=30)
            except requests.ConnectionError:
                time.sleep(0.2 * (attempt + 1))
                continue
            if response.status_code == 429 or response.status_code >= 500:
                time.sleep(min(_seconds(response.headers.get("Retry-After")), 10.0) or 0.2 * (attempt + 1))
                continue
            try:
                return response.status_code, response.json()
            except ValueError:
                return response.status_code, {}
        raise RuntimeError(f"the kit's own read of {path} kept failing ({KIT_READ_ATTEMPTS} attempts)")

    # -- what was seen -----------------------------------------------------------------------------
    def journal(self):
        """Every request the sandbox recorded in this check, oldest first (the kit's own excluded)."""
        return [e for e in self.sandbox.journal() if not _by_kit(e)]

    def note(self, text):
        self.notes.append(text)

    def _journal_steps(self, actor="Integration"):
        """Arrows for the requests recorded since the last look (what the last action caused)."""
        entries = self.sandbox.journal(since=self._journal_seen)
        if entries:
            self._journal_seen = entries[-1]["seq"]
        for entry in filter(lambda e: not _by_kit(e), entries):
            who = "Customer" if entry["path"].endswith("/authenticate") else actor
            self.steps.append(Step(who, "Trustpilot", _label(entry), str(entry["status"]), entry["status"] < 400))

    def _secrets(self):
        """(kind, value) of the world's secrets, read once: only after the check has made the
        integration act (for leaks and redaction), so every token it was issued is among them."""
        if self._world_secrets is None:
            self._world_secrets = world_secrets(self.sandbox, self.world.partner)
        return self._world_secrets

    def leaks(self):
        """Which secrets (by kind) appear in what the integration printed or showed, and where; and
        which it sent in a request's URL (the journal: a path, or a query value that is a secret or
        whose name says it is one), where servers, proxies and browsers log them."""
        secrets = [(kind, value) for kind, value in self._secrets() if len(value) >= MIN_SECRET_LENGTH]
        outputs = [(f"{o.name} output", o.output) for o in self.outcomes] + self.pages
        outputs.append(("service log", self.integration.service_output()))
        found = {f"{kind} in the {where}" for where, text in outputs for kind, value in secrets
                 if value in (text or "")}
        for entry in self.journal():
            where = f"URL of {entry['method']} {entry['path']} (#{entry['seq']})"
            url = entry["path"] + "?" + "&".join(f"{k}={v}" for k, v in entry.get("query") or [])
            found |= {f"{kind} in the {where}" for kind, value in secrets if value in url}
            found |= {f"{name} in the {where}" for name, value in entry.get("query") or []
                      if name.lower() in SECRET_QUERY_FIELDS and value}
        return sorted(found)

    def redact(self, text):
        if self._redactor is None:
            self._redactor = Redactor([value for _, value in self._secrets()] + self.integration.private_values())
        return self._redactor(text)

    def close(self):
        self.browser.close()

    def finish(self):
        """Evidence with every secret of the world replaced by '***' (trigger outputs included)."""
        redact = self.redact
        triggers = [Trigger(o.name, redact(o.target), o.ok, o.outcome, _trimmed(redact(o.output)), round(o.seconds, 3))
                    for o in self.outcomes]
        service_log = self.integration.service_output()
        if service_log:
            triggers.append(Trigger("service", redact(self.integration.service_command or ""), True, "log",
                                    _trimmed(redact(service_log)), 0.0))
        steps = [Step(s.source, s.target, redact(s.label), s.outcome, s.ok) for s in self.steps]
        requests = json.loads(redact(json.dumps(self.journal())))  # beyond the journal's own redaction
        return Evidence(notes=[redact(n) for n in self.notes], requests=requests, triggers=triggers, sequence=steps,
                        leaks=self.leaks())


class ResultsContext:
    """What a check without a world (world=None) works with: the manifest and every result so far."""

    def __init__(self, manifest, results):
        self.manifest, self.results, self.notes = manifest, list(results), []

    def note(self, text):
        self.notes.append(text)


def consent_diagnosis(ctx, customer, mark, problem):
    """Why the customer's consent could not be given, from what the journal shows since ``mark``."""
    entries = [e for e in ctx.journal() if e["seq"] > mark]
    keys = ctx.customer_keys(customer)
    wrong_grants = [e for e in seen.token_requests(entries) if seen.field(e, "grant_type") not in
                    ("authorization_code", "refresh_token", "password", None)
                    and (e["credentials"].get("clientKind") == "customer" or seen.field(e, "client_id") in keys)]
    if wrong_grants:
        grant = seen.field(wrong_grants[0], "grant_type")
        return (f"the integration asked for the customer's token with grant_type={grant} and the customer key "
                f"({seen.listing(wrong_grants)}) instead of sending the customer to the Trustpilot login page: "
                "consent needs the authorization-code grant (the login page with the customer key as client_id "
                f"and the registered redirect URI, then the code exchanged); the kit saw: {problem}")
    logins = [e for e in entries if e["method"] == "GET" and e["path"].endswith("/authenticate")]
    if logins:
        login = logins[-1]
        used, registered = seen.field(login, "redirect_uri", "query"), ctx.integration.redirect_uri
        if used != registered:
            return (f"the Trustpilot login page refused the consent (HTTP {login['status']}): it was opened with "
                    f"redirect_uri={used!r}, but the registered redirect URI is {registered!r}")
        client_id = seen.field(login, "client_id", "query")
        if keys and client_id != keys[-1]:
            return (f"the Trustpilot login page was opened with client_id={client_id!r}, not the customer key "
                    f"created for {customer.domain} ({keys[-1]!r}): {problem}")
    return f"the customer's consent could not be given: {problem}"


def _trimmed(text):
    """The end of a long output (where the error usually is), marked as trimmed."""
    if len(text) <= EVIDENCE_LIMIT:
        return text
    return f"[... {len(text) - EVIDENCE_LIMIT} earlier characters left out ...]\n" + text[-EVIDENCE_LIMIT:]


def _seconds(value):
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 0.0


def _by_kit(entry):
    return entry["credentials"].get("apikey") == KIT_API_KEY


def _label(entry):
    """'POST token (grant: password)' for the token endpoints, else the method and the path."""
    grant = seen.field(entry, "grant_type")
    if entry["path"].startswith("/v1/oauth/"):
        return f"{entry['method']} {entry['path'].rsplit('/', 1)[-1]} (grant: {grant or 'none'})"
    return f"{entry['method']} {entry['path']}"
