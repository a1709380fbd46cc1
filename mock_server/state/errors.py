"""Typed errors raised by the state layer; the HTTP layer renders them in one place.

Trustpilot answers in three body families (see shared/reference/trustpilot-api.md §1.7, §7):
  * ``oauth``   - token endpoint: ``{"ErrorCode": "invalid_grant", "Error": "..."}``
  * ``fault``   - gateway / credentials: ``{"fault": {"faultstring": ..., "detail": {"errorcode": ...}}}``
  * ``service`` - API validation: ``{"message", "errorCode" (int), "details", "correlationId"}``
and the login page answers in HTML (``page``). Each error class fixes its family, status
and code; the instance carries the sentence that says what is wrong and where.
"""


class EmulatorError(Exception):
    """Base of every error the emulator renders on purpose (anything else is a 500 bug)."""

    family = "service"
    status = 400
    code = 1001
    message = "The request was malformed"

    def __init__(self, details, **extra):
        super().__init__(details)
        self.details = details
        self.extra = extra  # e.g. headers such as Allow

    def __str__(self):
        return f"{self.status} {self.message}: {self.details}"


# -- service family (errorCode numbers are emulator choices except 1001, seen on the wire)
class MalformedRequest(EmulatorError):
    status, code, message = 400, 1001, "The request was malformed"


class PayloadTooLarge(EmulatorError):
    status, code, message = 413, 1013, "Payload too large"


class RequestTimeout(EmulatorError):
    status, code, message = 408, 1008, "Request timeout"


class NotFound(EmulatorError):
    status, code, message = 404, 1004, "Not found"


class MethodNotAllowed(EmulatorError):
    status, code, message = 405, 1005, "Method not allowed"


class UnsupportedMediaType(EmulatorError):
    status, code, message = 415, 1015, "Unsupported media type"


class Conflict(EmulatorError):
    status, code, message = 409, 1009, "Conflict"


class PartnerNotFound(EmulatorError):
    status, code, message = 404, 1104, "Incorrect PartnerID"


class PartnerForbidden(EmulatorError):
    status, code, message = 403, 1103, "Incorrect authentication for Business Unit"


class InvalidScenario(EmulatorError):
    status, code, message = 400, 1201, "Invalid scenario"


class RequestViolatesContract(MalformedRequest):
    """Strict request validation: a parameter or body field breaks openapi/trustpilot.yaml."""


# -- fault family (Apigee-style gateway errors; errorcodes are Apigee's own names)
class Fault(EmulatorError):
    family = "fault"
    # The gateway's own 401s keep Apigee's fixed faultstring (reference §7: exactly "Invalid
    # ApiKey"), which clients may match on; the sentence saying why goes to detail.reason.
    fixed_faultstring = False


class CredentialFault(Fault):
    fixed_faultstring = True


class MissingCredentials(CredentialFault):
    status, code, message = 401, "steps.oauth.v2.FailedToResolveAPIKey", "Failed to resolve API Key variable request.header.apikey"


class InvalidApiKey(CredentialFault):
    status, code, message = 401, "oauth.v2.InvalidApiKey", "Invalid ApiKey"


class InvalidAccessToken(CredentialFault):
    status, code, message = 401, "oauth.v2.InvalidAccessToken", "Invalid access token"


class AccessTokenExpired(CredentialFault):
    status, code, message = 401, "keymanagement.service.access_token_expired", "Access Token expired"


class MissingPartnerHeader(Fault):
    status, code, message = 403, "partner.MissingPartnerId", "Partner id header required"


class WrongPartnerHeader(Fault):
    status, code, message = 403, "partner.InvalidPartnerId", "Partner id header does not match the key"


class Forbidden(Fault):
    status, code, message = 403, "access.Forbidden", "Forbidden"


# -- oauth family (token endpoint)
class OAuthError(EmulatorError):
    family = "oauth"


class InvalidRequest(OAuthError):
    status, code, message = 400, "invalid_request", "Invalid request"


class UnsupportedGrantType(OAuthError):
    status, code, message = 400, "unsupported_grant_type", "Unsupported grant type"


class InvalidClient(OAuthError):
    status, code, message = 401, "invalid_client", "Invalid client"


class InvalidGrant(OAuthError):
    status, code, message = 400, "invalid_grant", "Invalid grant"


class UnauthorizedClient(OAuthError):
    status, code, message = 400, "unauthorized_client", "Unauthorized client"


class CodeReplayed(InvalidGrant):
    """An authorization code sent a second time: refused, and what it issued is revoked (the
    revocation is kept although the request fails; RFC 6749 §4.1.2)."""


class TwoFactorEnabled(OAuthError):
    # Undocumented on the real API; the reference says "mock choice: 401 with OAuth error".
    status, code, message = 401, "invalid_grant", "2-step verification enabled"


class TokenMediaType(OAuthError):
    status, code, message = 415, "invalid_request", "Unsupported media type"


class TokenRequestViolatesContract(InvalidRequest):
    """Strict request validation on the token endpoints."""


# -- page family (the HTML login page)
class LoginPageError(EmulatorError):
    family = "page"
    status, code, message = 400, "invalid_request", "Cannot start sign-in"


class LoginRequestViolatesContract(LoginPageError):
    """Strict request validation on the login page."""


class LoginRefused(EmulatorError):
    family = "page"
    status, code, message = 403, "access_denied", "Sign-in refused"


class LoginFailed(EmulatorError):
    """Wrong email or password: the page shows the form again with the message."""

    family = "page"
    status, code, message = 401, "access_denied", "Sign-in failed"


# -- injected faults and the rate ceiling (state/faults.py, state/fault_presets.py); the
# Apigee error codes are the gateway's own names, the bodies an emulator guess
class RateLimited(Fault):
    status, code, message = 429, "policies.ratelimit.QuotaViolation", "Rate limit quota violation"


class ServiceUnavailable(Fault):
    status, code, message = 503, "messaging.adaptors.http.flow.ServiceUnavailable", "The Service is temporarily unavailable"


class InternalServerError(EmulatorError):
    status, code, message = 500, 1500, "Internal server error"


# -- the control plane's token (control_access.py); the sandbox's own, nothing on the real API
class MissingControlToken(EmulatorError):
    status, code, message = 401, 1301, "Control-plane token required"


class WrongControlToken(EmulatorError):
    status, code, message = 401, 1302, "Control-plane token not accepted"
