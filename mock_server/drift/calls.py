"""The drift check's call set: read-only public operations of the contract, as a chain of ids.

Ids differ between the real API and the sandbox, so each side's calls take their ids from that
side's own earlier answers: the unit found by domain gives its id and country, its reviews page
gives a review id, that review gives its consumer's id. Only operations that need no more than
an API key are here (``tests/test_drift_check.py`` checks each against openapi/trustpilot.yaml).
Product reviews are left out: no public call names a unit's skus.
"""

from dataclasses import dataclass, field
from string import Formatter
from urllib.parse import quote

LOCALE = "en-US"


@dataclass(frozen=True)
class Call:
    operation: str  # the contract's operationId
    path: str       # template; each {name} is a value of the chain
    params: dict = field(default_factory=dict)  # query; values may be templates too
    gives: dict = field(default_factory=dict)   # chain value -> where it is in this call's JSON body

    def needs(self):
        """The chain values this call's path and query name."""
        templates = [self.path, *(str(value) for value in self.params.values())]
        return {name for text in templates for _, name, _, _ in Formatter().parse(text) if name}


# The first call is the anchor: it finds the unit; the rest follow in order.
CALLS = (
    Call("find_business_unit", "/v1/business-units/find", {"name": "{domain}"},
         gives={"businessUnitId": ("id",), "country": ("country",)}),
    Call("get_business_unit", "/v1/business-units/{businessUnitId}"),
    Call("get_business_unit_profile_info", "/v1/business-units/{businessUnitId}/profileinfo"),
    Call("get_business_unit_web_links", "/v1/business-units/{businessUnitId}/web-links", {"locale": LOCALE}),
    Call("list_business_unit_categories", "/v1/business-units/{businessUnitId}/categories", {"locale": LOCALE}),
    Call("list_business_unit_locations", "/v1/business-units/{businessUnitId}/locations", {"perPage": 20}),
    Call("get_business_unit_images", "/v1/business-units/{businessUnitId}/images"),
    Call("get_business_unit_logo", "/v1/business-units/{businessUnitId}/images/logo"),
    Call("search_business_units", "/v1/business-units/search", {"query": "{domain}", "perpage": 20}),
    Call("list_all_business_units", "/v1/business-units/all", {"country": "{country}", "perPage": 20}),
    Call("list_business_unit_reviews", "/v1/business-units/{businessUnitId}/reviews", {"perPage": 20},
         gives={"reviewId": ("reviews", 0, "id")}),
    Call("list_all_business_unit_reviews", "/v1/business-units/{businessUnitId}/all-reviews", {"perPage": 20}),
    Call("get_review", "/v1/reviews/{reviewId}", gives={"consumerId": ("consumer", "id")}),
    Call("get_review_likes", "/v1/reviews/{reviewId}/likes"),
    Call("get_review_web_links", "/v1/reviews/{reviewId}/web-links", {"locale": LOCALE}),
    Call("get_consumer", "/v1/consumers/{consumerId}"),
    Call("get_consumer_profile", "/v1/consumers/{consumerId}/profile"),
    Call("list_consumer_reviews", "/v1/consumers/{consumerId}/reviews", {"perPage": 20}),
    Call("list_latest_reviews", "/v1/reviews/latest", {"language": "en", "count": 20}),
    Call("get_star_images", "/v1/resources/images/stars/{stars}"),
    Call("get_star_string", "/v1/resources/strings/stars/{stars}", {"locale": LOCALE}),
    Call("list_locales", "/v1/resources/metadata/locales"),
    Call("list_countries", "/v1/resources/metadata/countries", {"locale": LOCALE}),
)

# Values both sides start with: the domain is given per side, the rest are constants.
CONSTANTS = {"stars": "4.5"}


def fill_path(template, values):
    """The path with the chain's values put in, each quoted: an id from an answer never adds a segment."""
    return template.format_map({name: quote(str(value), safe="") for name, value in values.items()})


def fill_params(params, values):
    """The query with the chain's values put in (requests encodes them)."""
    return {name: str(value).format_map(values) for name, value in params.items()}
