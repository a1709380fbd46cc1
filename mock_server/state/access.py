"""Who is calling: the credential rules every emulated route shares.

Rules (shared/reference/client-compat.md): no credentials -> 401; public routes accept the
``apikey`` header or query parameter, or a valid bearer without apikey, and a junk bearer never
vetoes a valid apikey; private routes need a valid bearer. Calls made with a partner customer
key or a token issued to one must carry the partner id header (an emulator decision: the real
header name is undocumented, so it is a scenario setting, ``x-partner-id`` by default).
"""

import base64
import binascii
from dataclasses import dataclass, field

from . import errors
from .clock import iso
from .store import note_valid_until


@dataclass(frozen=True)
class Credentials:
    """What the HTTP layer found on the request; nothing here is trusted yet."""

    apikey: str | None = None
    bearer: str | None = None
    headers: object = field(default_factory=dict)  # only .get(lower-cased name): werkzeug's Headers, a dict

    @property
    def empty(self):
        return not self.apikey and not self.bearer


@dataclass(frozen=True)
class Caller:
    app: dict
    user: dict | None = None
    token: dict | None = None


class AccessRules:
    """Resolve credentials into a Caller or raise the documented error (every area asks it)."""

    def __init__(self, store, clock, settings):
        """``settings``: the sandbox's Settings (the partner id header's name and rule)."""
        self.store = store
        self.clock = clock
        self.settings = settings

    def application(self, db, api_key):
        row = self._app_row(db, api_key)
        return dict(row) if row else None

    def _app_row(self, db, api_key):
        # A known key's row is read once per connection, not on every request.
        return self.store.cached_row(db, ("application", api_key), (("applications", api_key),),
                                     "SELECT * FROM applications WHERE api_key = ?", (api_key,))

    def user(self, db, user_id):
        row = self.store.cached_row(db, ("business user", user_id), (("business_users", user_id),),
                                    "SELECT * FROM business_users WHERE id = ?", (user_id,))
        return dict(row) if row else None

    def _access_token_row(self, db, token):
        # Read once per connection: a private call presents its token to the route and the journal.
        return self.store.cached_row(db, ("access token", token), (("tokens", token),),
                                     "SELECT * FROM tokens WHERE token = ? AND kind = 'access'", (token,))

    def _valid_access_token(self, db, token):
        """The token row, or raise the 401 that says why the token is not usable."""
        row = self._access_token_row(db, token)
        if row is None:
            raise errors.InvalidAccessToken("the bearer token is not an access token issued by this sandbox")
        if row["revoked"]:
            raise errors.InvalidAccessToken("the bearer token was revoked")
        now = self.clock.stamp(db)
        if row["expires_at"] <= now:
            raise errors.AccessTokenExpired(
                f"the access token expired at {iso(row['expires_at'])} (sandbox time is {iso(now)}); "
                "get a new one with the refresh token")
        note_valid_until(row["expires_at"])  # an answer given with it holds until it expires
        return dict(row)

    def caller_from_token(self, db, token):
        row = self._valid_access_token(db, token)
        return Caller(app=self.application(db, row["client_id"]),
                      user=self.user(db, row["user_id"]) if row["user_id"] else None, token=row)

    def public_caller(self, db, creds):
        if creds.empty:
            raise errors.MissingCredentials(
                "no credentials: send your API key in the 'apikey' header (or query parameter) "
                "or an 'Authorization: Bearer <access token>' header")
        caller = None
        if creds.apikey:
            app = self.application(db, creds.apikey)
            if app is not None:
                caller = Caller(app=app)
            elif not creds.bearer:
                raise errors.InvalidApiKey("the apikey sent (header or query parameter) is not the API key of "
                                          "any application in this sandbox")
        if caller is None:
            caller = self.caller_from_token(db, creds.bearer)
        self._require_partner_header(db, caller, creds)
        return caller

    def private_caller(self, db, creds):
        if not creds.bearer:
            if creds.apikey:
                raise errors.MissingCredentials(
                    "this is a private endpoint: an API key is not enough, send "
                    "'Authorization: Bearer <access token>'")
            raise errors.MissingCredentials(
                "no credentials: private endpoints need 'Authorization: Bearer <access token>'")
        caller = self.caller_from_token(db, creds.bearer)
        self._require_partner_header(db, caller, creds)
        return caller

    def business_unit_caller(self, db, creds, unit_id):
        """A private call on one business unit's data: a valid bearer whose user (or, for a
        client-credentials token, whose application) belongs to that unit. Emulator decision:
        a valid token without access to the unit gets 403 (the docs mention 401 and 403)."""
        return self.unit_access(self.private_caller(db, creds), unit_id)

    def unit_access(self, caller, unit_id):
        """``caller`` (already resolved by private_caller) if it may act on ``unit_id``, else 403.

        Routes that must answer 404 for an unknown id between the 401 and the 403 resolve the
        caller first, look the id up, then ask here, so the token is resolved once."""
        if caller.user is not None:
            allowed = caller.user["business_unit_id"] == unit_id
            who = f"business user {caller.user['email']!r}"
        else:
            allowed = caller.app["business_unit_id"] == unit_id
            who = f"application {caller.app['name']!r}"
        if not allowed:
            raise errors.Forbidden(f"{who} has no access to business unit {unit_id}; use a token of one of "
                                   "its users (the customer's token from the authorization-code grant)")
        return caller

    def acting_user_id(self, db, caller, creds, unit_id, given=None, field=None):
        """The business user a write is made as: ``given`` (the body field ``field``), the
        x-business-user-id header (client-credentials tokens), or the token's own user; it must
        belong to the unit."""
        header = creds.headers.get("x-business-user-id")
        user_id = given or header or (caller.user or {}).get("id")
        if not user_id:
            raise errors.MalformedRequest("no business user: a client-credentials token must name one in the "
                                          "'x-business-user-id' header (or the body's user field)")
        user = self.user(db, user_id)
        if user is None or user["business_unit_id"] != unit_id:
            where = (f"the body's '{field}'" if given else
                     "the 'x-business-user-id' header" if header else "the token's user")
            raise errors.MalformedRequest(
                f"{user_id!r} ({where}) is not the id of a business user of business unit {unit_id}")
        return user_id

    def _require_partner_header(self, db, caller, creds):
        if caller.app["kind"] != "customer":
            return
        settings = self.settings.current(db)
        if not settings["partnerIdHeaderRequired"]:
            return  # the journal's credential summary still shows the header (or its absence)
        header = settings["partnerIdHeader"]
        value = creds.headers.get(header.lower())
        kind = "token issued to a partner customer key" if caller.token else "partner customer key"
        if not value:
            raise errors.MissingPartnerHeader(
                f"calls made with a {kind} must carry the partner id in the '{header}' header")
        if value != caller.app["partner_id"]:
            raise errors.WrongPartnerHeader(
                f"the '{header}' header is {value!r} but this {kind} belongs to partner "
                f"{caller.app['partner_id']!r}")

    def credentials_accepted(self, creds, private=False):
        """Whether ``creds`` get past a public (or private) route's credential checks; never raises.
        Strict request validation asks first, so that bad credentials still get their 401/403."""
        with self.store.read() as db:
            try:
                (self.private_caller if private else self.public_caller)(db, creds)
            except errors.EmulatorError:
                return False
        return True

    def describe_credentials(self, db, creds):
        """A secret-free summary of who called, for the journal (never raises)."""
        summary = {"apikey": creds.apikey, "bearer": None}
        if creds.bearer:
            row = self._access_token_row(db, creds.bearer)
            if row is None:
                summary["bearer"] = {"status": "unknown"}
            else:
                status = ("revoked" if row["revoked"] else
                          "expired" if row["expires_at"] <= self.clock.stamp(db) else "valid")
                summary["bearer"] = {"status": status, "clientId": row["client_id"], "userId": row["user_id"]}
        basic = None if creds.bearer else basic_client(creds.headers.get("authorization"))
        if basic:
            summary["basicClient"] = basic  # the key of 'Basic key:secret' (token endpoints), never the secret
        client = (summary["bearer"] or {}).get("clientId") or creds.apikey or basic
        app = self._app_row(db, client) if client else None
        summary["clientKind"] = app["kind"] if app else None
        summary["partnerId"] = app["partner_id"] if app else None
        header = self.settings.current(db)["partnerIdHeader"]
        summary["partnerIdHeader"] = creds.headers.get(header.lower())
        return summary


def basic_client(authorization):
    """The API key in an 'Authorization: Basic base64(key:secret)' value (or a bare base64 one), else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    encoded = value.strip() if scheme.lower() == "basic" else (scheme if not value else None)
    try:
        key, sep, _ = base64.b64decode(encoded or "", validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return key if sep and key else None
