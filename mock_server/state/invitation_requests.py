"""Invitations API request bodies: shape and format rules, the first problem reported.

Messages follow the one seen on the wire ("'Consumer Email' is not in the correct format."):
the field's display name, the block it is in when nested, then what is wrong and what was
expected. Unknown fields are ignored; ``null`` counts as absent for optional fields, and so
does an empty plain-text field (real clients send both), but an optional email, locale, URL
or date that is present must be valid. Which templates and locations exist is data: the
caller checks those.
The regular expressions are the ones in openapi/trustpilot.yaml.
"""

import json
import re
from datetime import datetime, timedelta, timezone

from . import errors
from .clock import EARLIEST, LATEST, iso
from .text import WHITESPACE, blank

# The contract's \s is ECMA-262's, not Python's (see text.py).
SPACE = re.escape(WHITESPACE)
EMAIL = re.compile(rf"^[^@{SPACE}]+@[^@{SPACE}]+\.[^@{SPACE}]+$")
LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")
URL = re.compile(rf"^https?://[^{SPACE}]+$")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")
US_TIME = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}$")
SERVICE, PRODUCT = "serviceReviewInvitation", "productReviewInvitation"
PRODUCT_URLS = ("productUrl", "imageUrl")
PRODUCT_TEXTS = ("mpn", "brand", "gtin", "productCategoryGoogleId")


def email_invitation(body):
    """The checked email-invitation body: top-level fields plus ``service``/``product`` blocks
    (None when absent), each block with ``sendAt`` in epoch seconds (None = send now)."""
    out = {"consumerEmail": _email(body, "consumerEmail", required=True),
           "consumerName": _text(body, "consumerName", required=True),
           "referenceNumber": _text(body, "referenceNumber", required=True)}
    if body.get("type") not in (None, "email"):
        _bad("type", f"must be 'email' (the only kind of invitation this endpoint sends), got {_shown(body['type'])}.")
    out["locale"] = _locale(body, "locale")
    out["senderEmail"] = _email(body, "senderEmail")
    out["senderName"] = _text(body, "senderName")
    out["replyTo"] = _email(body, "replyTo")
    out["locationId"] = _text(body, "locationId")
    out["service"] = _block(body, SERVICE, _service_block)
    out["product"] = _block(body, PRODUCT, _product_block)
    if out["service"] is None and out["product"] is None:
        raise errors.MalformedRequest(
            f"'{_display(SERVICE)}' must not be empty: send a '{SERVICE}' block, a '{PRODUCT}' block, or both.")
    if out["service"] and out["product"] and None not in (out["service"]["sendAt"], out["product"]["sendAt"]):
        if out["product"]["sendAt"] < out["service"]["sendAt"]:
            _bad("preferredSendTime", f"must not be before the service review invitation's "
                 f"({iso(out['service']['sendAt'])}): the service invitation is sent first.", PRODUCT)
    return out


def invitation_link(body):
    """The checked invitation-link body (service-review link, reference §4.2)."""
    return {"email": _email(body, "email", required=True),
            "name": _text(body, "name", required=True),
            "referenceId": _text(body, "referenceId", required=True),
            "locale": _locale(body, "locale"),
            "locationId": _text(body, "locationId"),
            "tags": _tags(body, None),
            "redirectUri": _url(body, "redirectUri")}


def invitation_data_deletion(body):
    """``("customerEmails", [lower-cased emails])`` or ``("deleteOlderThan", epoch seconds)``."""
    emails, older = body.get("customerEmails"), body.get("deleteOlderThan")
    if emails is not None and older is not None:
        raise errors.MalformedRequest("'Customer Emails' and 'Delete Older Than' cannot both be set: "
                                      "send one of them (deletion is irreversible).")
    if older is not None:
        return "deleteOlderThan", send_time(older, "deleteOlderThan")
    if emails is None:
        raise errors.MalformedRequest("'Customer Emails' must not be empty: send 'customerEmails' (a list of "
                                      "emails) or 'deleteOlderThan' (a date-time).")
    if not isinstance(emails, list) or not emails:
        _bad("customerEmails", f"must be a non-empty list of emails, got {_shown(emails)}.")
    for n, email in enumerate(emails):
        if not isinstance(email, str) or not EMAIL.search(email):
            _bad(f"customerEmails[{n}]", f"is not in the correct format: expected an email, got {_shown(email)}.")
    return "customerEmails", sorted({email.lower() for email in emails})


def send_time(value, field, block=None):
    """``MM/DD/YYYY HH:mm:ss`` (the docs) or ISO-8601 in UTC (the clients) -> epoch seconds."""
    expected = "expected 'MM/DD/YYYY HH:mm:ss' or ISO-8601 in UTC such as '2026-11-26T12:00:00Z'"
    if not isinstance(value, str):
        _bad(field, f"must be a string ({expected}), got {_shown(value)}.", block)
    try:
        if ISO_TIME.search(value):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif US_TIME.search(value):
            moment = datetime.strptime(value, "%m/%d/%Y %H:%M:%S")
        else:
            raise ValueError(value)
    except ValueError:
        _bad(field, f"is not in the correct format: {expected}, got {_shown(value)}.", block)
    if moment.utcoffset() not in (None, timedelta(0)):
        _bad(field, f"must be in UTC (a 'Z' or '+00:00' offset, or none), got {_shown(value)}.", block)
    epoch = moment.replace(tzinfo=timezone.utc).timestamp()
    if not EARLIEST <= epoch < LATEST:
        _bad(field, f"is out of range: from {iso(EARLIEST)} to before {iso(LATEST)}, got {_shown(value)}.", block)
    return epoch


# -- blocks ---------------------------------------------------------------------------------
def _block(body, name, check):
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        _bad(name, f"must be an object, got {_shown(value)}.")
    return check(value, name)


def _common(block, name):
    raw = block.get("preferredSendTime")
    return {"templateId": _text(block, "templateId", block=name),
            "sendAt": None if raw is None else send_time(raw, "preferredSendTime", name),
            "redirectUri": _url(block, "redirectUri", block=name),
            "tags": _tags(block, name)}


def _service_block(block, name):
    return _common(block, name)


def _product_block(block, name):
    out = _common(block, name)
    products, skus = block.get("products"), block.get("productSkus")
    if products is not None and skus is not None:
        _bad("products", "and 'Product Skus' cannot both be set: send the products, or the SKUs of products in "
             "your uploaded catalog.", name)
    if products is None and skus is None:
        _bad("products", "must not be empty: send 'products' or 'productSkus'.", name)
    if products is not None:
        if not isinstance(products, list) or not products:
            _bad("products", f"must be a non-empty list of products, got {_shown(products)}.", name)
        out["products"] = [_product(item, f"{name}.products[{n}]") for n, item in enumerate(products)]
    else:
        if not isinstance(skus, list) or not skus or not all(isinstance(s, str) and not blank(s) for s in skus):
            _bad("productSkus", f"must be a non-empty list of non-empty strings, got {_shown(skus)}.", name)
        out["productSkus"] = list(skus)
    return out


def _product(item, where):
    if not isinstance(item, dict):
        raise errors.MalformedRequest(f"'Products' item {where} must be an object, got {_shown(item)}.")
    product = {"sku": _text(item, "sku", required=True, block=where),
               "name": _text(item, "name", required=True, block=where)}
    for field in PRODUCT_URLS:
        product[field] = _url(item, field, block=where)
    for field in PRODUCT_TEXTS:
        product[field] = _text(item, field, block=where)
    return product


# -- fields ---------------------------------------------------------------------------------
def _text(body, field, required=False, block=None):
    """A plain string; an empty optional one counts as absent."""
    value = _string(body, field, block)
    if value is None or blank(value):
        if required:
            _bad(field, "must not be empty.", block)
        return None
    return value


def _string(body, field, block=None):
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        _bad(field, f"must be a string, got {_shown(value)}.", block)
    return value


def _email(body, field, required=False):
    value = _text(body, field, required=True) if required else _string(body, field)
    if value is not None and not EMAIL.search(value):
        _bad(field, "is not in the correct format.")
    return value


def _locale(body, field):
    value = _string(body, field)
    if value is not None and not LOCALE.search(value):
        _bad(field, f"is not in the correct format: expected a language and country such as 'en-US', "
             f"got {_shown(value)}.")
    return value


def _url(body, field, block=None):
    value = _string(body, field, block)
    if value is not None and not URL.search(value):
        _bad(field, f"is not in the correct format: expected an absolute http(s) URL, got {_shown(value)}.", block)
    return value


def _tags(body, block):
    value = body.get("tags")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) and tag for tag in value):
        _bad("tags", f"must be a list of non-empty strings, got {_shown(value)}.", block)
    return value


def _bad(field, problem, block=None):
    where = f" in {block}" if block else ""
    raise errors.MalformedRequest(f"'{_display(field)}'{where} {problem}")


def _display(field):
    """consumerEmail -> Consumer Email (the display names of the error seen on the wire)."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", field)
    return words[:1].upper() + words[1:]


def _shown(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."
