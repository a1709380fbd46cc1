"""OAuth token rules: the four grants, refresh, revoke, and the login page's code/implicit grants.

Token responses follow a recorded 2025 response (reference §1.4): every value a string,
``issued_at`` in epoch seconds, ``tpa-``/``tpr-`` prefixes. A refresh token stays usable
until it expires or is revoked (a real connector refreshes twice with the same one).
Emulator decisions: revoking a refresh token also revokes the access tokens issued with it
and every token refreshed from it (RFC 7009 §2.1); a replayed authorization code is refused and
revokes every token issued from it (RFC 6749 §4.1.2, RFC 9700 §4.2.4); unknown tokens are
accepted silently by revoke (RFC 7009). Consent is the customer's: a customer key a partner
created gets no client_credentials token (setting ``clientCredentialsForCustomerKeys``), while
a business's own application (declared in the scenario) may use that grant, as the real one
does. Token requests are throttled per application (setting ``tokenRequestsPerMinute``,
reference §1.5: too often gives 429; the real figure is unpublished).
"""

import json
import math
from urllib.parse import urlsplit

from . import errors
from .clock import iso
from .store import insert, insert_many

GRANTS = ("password", "authorization_code", "client_credentials", "refresh_token")
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class OAuth:
    """Token endpoints and the authorization-code flow's login page."""

    def __init__(self, store, clock, ids, settings, access):
        """The sandbox's store, clock, ids and Settings; ``access``: its AccessRules."""
        self.store = store
        self.clock = clock
        self.ids = ids
        self.settings = settings
        self.access = access

    # -- token endpoint -------------------------------------------------------------------
    def create_access_token(self, client, form):
        """POST .../accesstoken: ``client`` is (key, secret) or None, ``form`` the form fields."""
        grant = form.get("grant_type")
        if not grant:
            raise errors.InvalidRequest(f"the form field 'grant_type' is required (one of {', '.join(GRANTS)})")
        if grant not in GRANTS:
            raise errors.UnsupportedGrantType(
                f"grant_type {grant!r} is not supported; use one of {', '.join(GRANTS)}")
        return self._token_request(client, form, grant)

    def refresh_access_token(self, client, form):
        """POST .../refresh: only the refresh_token grant."""
        grant = form.get("grant_type", "refresh_token")
        if grant != "refresh_token":
            raise errors.UnsupportedGrantType(
                f"the refresh endpoint only takes grant_type=refresh_token, got {grant!r}")
        return self._token_request(client, form, grant)

    def _token_request(self, client, form, grant):
        """Throttle, authenticate, run the grant. A replayed code's revocations are committed
        before its error is raised (an error inside the transaction would roll them back)."""
        self._throttle_token_requests(client)
        with self.store.transaction() as db:
            app = self._authenticate_client(db, client)
            try:
                return getattr(self, f"_grant_{grant}")(db, app, form)
            except errors.CodeReplayed as exc:
                replayed = exc
        raise replayed

    def _throttle_token_requests(self, client):
        """At most ``tokenRequestsPerMinute`` token requests per known application per minute of
        the clock: 429 with Retry-After past it. Only existing API keys are counted, so the
        table stays as small as the world's applications times the limit."""
        if client is None:
            return
        with self.store.transaction() as db:
            limit = self.settings.current(db)["tokenRequestsPerMinute"]
            if not limit or self.access.application(db, client[0]) is None:
                return
            now = self.clock.now(db)
            db.execute("DELETE FROM token_requests WHERE client_id = ? AND at <= ?", (client[0], now - 60))
            count, oldest = db.execute("SELECT COUNT(*), MIN(at) FROM token_requests WHERE client_id = ?",
                                       (client[0],)).fetchone()
            if count < limit:
                insert(db, "token_requests", client_id=client[0], at=now)
                return
            wait = max(1, math.ceil(oldest + 60 - now))
        raise errors.RateLimited(
            f"too many token requests: at most {limit} a minute per application (setting "
            f"tokenRequestsPerMinute); a token lasts 100 hours, so keep it and reuse it until it expires; "
            f"retry after {wait} s", headers={"Retry-After": str(wait)})

    def revoke_access_token(self, client, form):
        """POST .../revoke: client authentication optional (real clients differ), checked if sent."""
        token = form.get("token")
        if not token:
            raise errors.InvalidRequest("the form field 'token' is required (the refresh or access token to revoke)")
        with self.store.transaction() as db:
            if client is not None:
                app = self._authenticate_client(db, client)
                owner = db.execute("SELECT client_id FROM tokens WHERE token = ?", (token,)).fetchone()
                if owner and owner["client_id"] != app["api_key"]:
                    raise errors.InvalidGrant("this token was issued to another client")
            db.execute("UPDATE tokens SET revoked = 1 WHERE token = ? OR pair = ?", (token, token))
            _revoke_descendants(db, token)
        return {}

    def _authenticate_client(self, db, client):
        if client is None:
            raise errors.InvalidClient(
                "client credentials are missing: send 'Authorization: Basic base64(apiKey:apiSecret)' "
                "or the form fields client_id and client_secret")
        key, secret = client
        app = self.access.application(db, key)
        if app is None:
            raise errors.InvalidClient(f"{key!r} is not the API key of any application")
        if app["api_secret"] != secret:
            raise errors.InvalidClient(f"wrong API secret for API key {key!r}")
        return app

    def _grant_password(self, db, app, form):
        _require(form, "username", "password")
        user = db.execute("SELECT * FROM business_users WHERE email = ?", (form["username"],)).fetchone()
        if user is None:
            raise errors.InvalidGrant(f"no business user with the login {form['username']!r}")
        if user["password"] != form["password"]:
            raise errors.InvalidGrant(f"wrong password for business user {form['username']!r}")
        self._check_user_may_use(dict(user), app)
        return self._issue(db, app, dict(user), "password")

    def _grant_client_credentials(self, db, app, form):
        if app["kind"] == "customer" and not self.settings.current(db)["clientCredentialsForCustomerKeys"]:
            raise errors.UnauthorizedClient(
                "client_credentials is refused for a customer key a partner created: the customer's data is "
                "reached only with a token the customer granted, so send the customer through the login "
                "page (authorization_code) and refresh that token (emulator rule; the sandbox setting "
                "clientCredentialsForCustomerKeys relaxes it)")
        return self._issue(db, app, None, "client_credentials", with_refresh=False)

    def _grant_authorization_code(self, db, app, form):
        _require(form, "code", "redirect_uri")
        row = db.execute("SELECT * FROM authorization_codes WHERE code = ?", (form["code"],)).fetchone()
        now = self.clock.now(db)
        if row is None:
            raise errors.InvalidGrant("unknown authorization code")
        if row["used_at"] is not None:
            _revoke_descendants(db, _code_origin(row["code"]))
            raise errors.CodeReplayed(f"the authorization code was already used at {iso(row['used_at'])}; "
                                      "codes are single-use, so every token issued from it is now revoked; "
                                      "send the customer through the login page again")
        if row["expires_at"] <= now:
            raise errors.InvalidGrant(f"the authorization code expired at {iso(row['expires_at'])}")
        if row["client_id"] != app["api_key"]:
            raise errors.InvalidGrant("the authorization code was issued to another client")
        if row["redirect_uri"] != form["redirect_uri"]:
            raise errors.InvalidGrant(
                f"redirect_uri {form['redirect_uri']!r} differs from the one used at the login page "
                f"({row['redirect_uri']!r}); it must be identical")
        db.execute("UPDATE authorization_codes SET used_at = ? WHERE code = ?", (now, row["code"]))
        user = self.access.user(db, row["user_id"])
        self._check_user_may_use(user, app)
        return self._issue(db, app, user, "authorization_code", origin=_code_origin(row["code"]))

    def _grant_refresh_token(self, db, app, form):
        _require(form, "refresh_token")
        row = db.execute("SELECT * FROM tokens WHERE token = ? AND kind = 'refresh'",
                         (form["refresh_token"],)).fetchone()
        if row is None:
            raise errors.InvalidGrant("unknown refresh token")
        if row["revoked"]:
            raise errors.InvalidGrant("the refresh token was revoked")
        if row["expires_at"] <= self.clock.now(db):
            raise errors.InvalidGrant(f"the refresh token expired at {iso(row['expires_at'])}")
        if row["client_id"] != app["api_key"]:
            raise errors.InvalidGrant("the refresh token was issued to another client")
        user = self.access.user(db, row["user_id"]) if row["user_id"] else None
        body = self._issue(db, app, user, row["grant_type"], origin=row["token"])
        for field in ("app_enduser", "client_id"):  # the refresh response omits these
            body.pop(field, None)
        return body

    def _check_user_may_use(self, user, app):
        if user["two_factor"]:
            raise errors.TwoFactorEnabled(
                f"business user {user['email']!r} has 2-step verification enabled; the password and "
                "authorization-code grants do not work for such users: turn 2-step verification off")
        if app["kind"] == "partner" and user["partner_id"] != app["partner_id"]:
            raise errors.InvalidGrant(f"business user {user['email']!r} is not a user of partner {app['name']!r}")
        if app["kind"] != "partner" and user["business_unit_id"] != app["business_unit_id"]:
            raise errors.InvalidGrant(
                f"business user {user['email']!r} has no access to business unit {app['business_unit_id']}")

    def _issue(self, db, app, user, grant, with_refresh=True, origin=None):
        """Mint the tokens of a grant; ``origin`` (the code or refresh token they came from) is
        recorded so that revoking it reaches them."""
        settings = self.settings.current(db)
        now = self.clock.now(db)
        access = "tpa-" + self.ids.token(db, "access")
        refresh = "tpr-" + self.ids.token(db, "refresh") if with_refresh else None
        access_ttl = settings["accessTokenLifetimeSeconds"]
        refresh_ttl = settings["refreshTokenLifetimeSeconds"]
        user_id = user["id"] if user else None
        insert(db, "tokens", token=access, kind="access", client_id=app["api_key"], user_id=user_id,
               grant_type=grant, issued_at=now, expires_at=now + access_ttl, pair=refresh)
        body = {"access_token": access, "issued_at": str(int(now)), "expires_in": str(access_ttl),
                "token_type": "BearerToken"}
        if refresh:
            insert(db, "tokens", token=refresh, kind="refresh", client_id=app["api_key"], user_id=user_id,
                   grant_type=grant, issued_at=now, expires_at=now + refresh_ttl)
            body.update({"refresh_token": refresh, "refresh_token_issued_at": str(int(now)),
                         "refresh_token_expires_in": str(refresh_ttl), "refresh_token_status": "approved"})
        if origin:
            insert_many(db, "token_origins", ("token", "origin"), [(t, origin) for t in (access, refresh) if t])
        if user_id:
            body["app_enduser"] = user_id
        body["client_id"] = app["api_key"]
        return body

    # -- login page (authorization-code and implicit grants) ------------------------------
    def start_authorization(self, client_id, redirect_uri, response_type):
        """Validate the login page's query; returns what the page shows (the application's name)."""
        with self.store.read() as db:
            app = self._authorization_client(db, client_id, redirect_uri, response_type)
            return {"application": app["name"]}

    def authorize(self, client_id, redirect_uri, response_type, username, password):
        """The customer submitted the login form; returns the redirect's parameters."""
        with self.store.transaction() as db:
            app = self._authorization_client(db, client_id, redirect_uri, response_type)
            user = db.execute("SELECT * FROM business_users WHERE email = ?", (username or "",)).fetchone()
            if user is None or user["password"] != (password or ""):
                raise errors.LoginFailed("the email or password is not right")
            user = dict(user)
            try:
                self._check_user_may_use(user, app)
            except errors.OAuthError as exc:
                raise errors.LoginRefused(exc.details) from None
            if response_type == "token":
                body = self._issue(db, app, user, "implicit", with_refresh=False)
                return {"access_token": body["access_token"], "token_type": "bearer",
                        "expires_in": body["expires_in"]}
            code = self.ids.token(db, "code", 32)
            ttl = self.settings.current(db)["authorizationCodeLifetimeSeconds"]
            insert(db, "authorization_codes", code=code, client_id=client_id, redirect_uri=redirect_uri,
                   user_id=user["id"], expires_at=self.clock.now(db) + ttl)
            return {"code": code}

    def _authorization_client(self, db, client_id, redirect_uri, response_type):
        if not client_id:
            raise errors.LoginPageError("the query parameter 'client_id' (your API key) is missing")
        if not redirect_uri:
            raise errors.LoginPageError("the query parameter 'redirect_uri' is missing")
        if response_type not in ("code", "token"):
            raise errors.LoginPageError(
                f"the query parameter 'response_type' must be 'code' or 'token', got {response_type!r}")
        app = self.access.application(db, client_id)
        if app is None:
            raise errors.LoginPageError(f"client_id {client_id!r} is not the API key of any application")
        allowed = json.loads(app["redirect_uris"])
        if not any(_redirect_matches(redirect_uri, entry) for entry in allowed):
            raise errors.LoginPageError(
                f"redirect_uri {redirect_uri!r} is not on the allow-list of {app['name']!r} "
                f"({', '.join(allowed) or 'empty'})")
        return app


def _code_origin(code):
    return "code:" + code


def _revoke_descendants(db, origin):
    """Revoke every token issued from ``origin`` (a code or a refresh token), and from those, on."""
    db.execute("""WITH RECURSIVE issued(token) AS (
                      SELECT token FROM token_origins WHERE origin = ?
                      UNION SELECT o.token FROM token_origins o JOIN issued ON o.origin = issued.token)
                  UPDATE tokens SET revoked = 1 WHERE token IN (SELECT token FROM issued)""", (origin,))


def _require(form, *fields):
    missing = [f for f in fields if not form.get(f)]
    if missing:
        raise errors.InvalidRequest(f"missing form field(s): {', '.join(missing)}")


def _redirect_matches(uri, allowed):
    """Exact match (trailing slash ignored), or an allow-listed origin with no path covers any path.

    Emulator decision: the real allow-list takes "a domain/subdomain"; https is required except
    on loopback hosts so partners can develop on localhost.
    """
    try:
        got, want = urlsplit(uri), urlsplit(allowed)
        got_port, want_port = got.port, want.port
    except ValueError:
        return False
    if got.fragment or (got.scheme != "https" and got.hostname not in LOOPBACK):
        return False
    same_origin = (got.scheme, got.hostname, got_port) == (want.scheme, want.hostname, want_port)
    if want.path in ("", "/") and not want.query:
        return same_origin
    return same_origin and got.path.rstrip("/") == want.path.rstrip("/") and got.query == want.query
