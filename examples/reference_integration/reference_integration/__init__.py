"""The reference Trustpilot partner integration: the partner program's steps 2-7, standard library only.

Every step is one small, named function, re-exported here. The modules call each other's steps
through this package (``ri.partner_token()``, never a captured reference), so replacing one
attribute of the package - ``reference_integration.verify_state = accept_anything`` - changes
what every caller runs. The conformance kit's tests build deliberately broken variants that way:
import the package, replace one step, call ``main(argv)``.

The web app (``web.py``, http.server) is imported only by ``serve``: the other commands start faster.
"""

from .config import IntegrationError, env, redact
from .store import read_state, save_customer, stored_customer, transaction
from .transport import checked, describe_error, send_once, send_with_retries
from .api import (api_url, customer_call, customer_headers, invitations_url, partner_call,
                  partner_key_headers)
from .tokens import (exchange_code, partner_token, refresh_customer_token, renew_partner_token,
                     request_partner_token, store_customer_token, token_request)
from .onboarding import check_eligibility, create_customer_key, find_business_unit, not_eligible_message, onboard
from .consent import ConsentRejected, complete_consent, consent_redirect, redirect_uri, verify_state
from .use_cases import ingest, ingested, invite, read_all_locations, read_all_pages, read_all_reviews, reply, showcase
from .cli import main
