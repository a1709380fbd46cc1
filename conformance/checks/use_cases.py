"""Program step 7: each accepted use case the integration claims really works (judged in the sandbox)."""

import math

from . import seen
from .base import CheckFailed, check
from .onboarding import BRIGHT, QUIET

REVIEW_LISTS = ("/v1/business-units/*/reviews", "/v1/private/business-units/*/reviews")
ALL_REVIEWS = "/v1/business-units/*/all-reviews"
LOCATIONS = "/v1/business-units/*/locations"


def _ran(ctx, use_case, customer):
    outcome = ctx.use_case(use_case, customer)
    if not outcome.ok:
        raise CheckFailed(f"{use_case} for {customer.domain} failed ({outcome.outcome}): "
                          f"{seen.tail(outcome.output)}")
    return outcome


def _mine(entries, customer):
    return [e for e in entries if f"/{customer.id}/" in e["path"] + "/"]


@check("usecase.ingestion", "Review ingestion reads every review page and every location page",
       "Step 7, review ingestion for analysis: read all reviews; with locations, page through "
       "/locations (up to 200 a page) until done; a business unit without locations returns []",
       use_case="ingestion")
def ingestion(ctx):
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    before = ctx.journal()[-1]["seq"]
    _ran(ctx, "ingestion", customer)
    entries = [e for e in _mine(ctx.journal(), customer) if e["seq"] > before]
    units = {u["id"]: u for u in ctx.sandbox.state()["businessUnits"]}
    _all_pages(ctx, "location", seen.calls(entries, "GET", LOCATIONS), units[customer.id]["locations"], 200)
    _review_pages(ctx, entries, units[customer.id]["reviews"])
    empty = ctx.world.customer(QUIET)
    ctx.connected(empty)
    before = ctx.journal()[-1]["seq"]
    _ran(ctx, "ingestion", empty)
    asked = seen.calls([e for e in _mine(ctx.journal(), empty) if e["seq"] > before], "GET", LOCATIONS)
    if not asked:
        raise CheckFailed(f"ingesting {empty.domain} (no locations, no reviews) never asked for its locations")
    ctx.note(f"{empty.domain} (no locations, no reviews): ingestion completed")


def _all_pages(ctx, what, entries, total, per_page_default):
    covered = seen.pages_covered(entries, per_page_default)
    for per_page, pages in covered.items():
        needed = max(1, math.ceil(total / per_page))
        if set(range(1, needed + 1)) <= pages:
            ctx.note(f"all {total} {what}s read: pages 1-{needed} of {per_page}")
            return
    shown = {per_page: sorted(pages) for per_page, pages in covered.items()}
    raise CheckFailed(f"not every {what} page was read: {total} {what}s, pages read (by perPage): {shown or 'none'}")


def _review_pages(ctx, entries, total):
    listed = [e for pattern in REVIEW_LISTS for e in seen.calls(entries, "GET", pattern)]
    if listed:
        # The journal's total counts reported (hidden) reviews too; a public list ends a little sooner.
        covered = seen.pages_covered(listed, 20)
        per_page, pages = max(covered.items(), key=lambda item: len(item[1]), default=(20, set()))
        needed = max(1, math.ceil(total * 0.97 / per_page))
        if set(range(1, needed + 1)) <= pages:
            ctx.note(f"reviews read: pages 1-{max(pages)} of {per_page} ({total} reviews in the unit)")
            return
        raise CheckFailed(f"not every review page was read: {total} reviews, pages read with perPage={per_page}: "
                          f"{sorted(pages)} (page until a page comes back short)")
    paged = [e for e in seen.calls(entries, "GET", ALL_REVIEWS) if seen.ok(e)]
    per_page = max((seen.query_int(e, "perPage", 1000) for e in paged), default=1000)
    if paged and len(paged) >= math.ceil(total * 0.97 / per_page):
        ctx.note(f"reviews read with all-reviews: {len(paged)} page(s) of up to {per_page}")
        return
    raise CheckFailed(f"the business unit's {total} reviews were not all read (no review list requests, or too "
                      f"few all-reviews pages: {len(paged)})")


@check("usecase.reply", "Reply posts to the right review", "Step 7, reply: manage and reply to reviews",
       use_case="reply")
def reply(ctx):
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    review_id = ctx.pick_review(customer)
    _ran(ctx, "reply", customer)
    posted = seen.calls(ctx.journal(), "POST", "/v1/private/reviews/*/reply")
    elsewhere = [e for e in posted if e["path"] != f"/v1/private/reviews/{review_id}/reply"]
    if elsewhere:
        raise CheckFailed(f"asked to reply to review {review_id}, the integration replied to another review: "
                          f"{seen.listing(elsewhere)}")
    if not any(seen.ok(e) for e in posted):
        raise CheckFailed(f"no successful POST /v1/private/reviews/{review_id}/reply: {seen.listing(posted) or 'none'}")
    _, answer = ctx.kit_read(f"/v1/reviews/{review_id}")
    text = (answer.get("companyReply") or {}).get("text")
    if text != ctx.reply_message:
        raise CheckFailed(f"review {review_id}'s reply reads {text!r}, not the message asked for {ctx.reply_message!r}")
    ctx.note(f"review {review_id} now carries the reply")


@check("usecase.invite", "Invite sends a valid review invitation", "Step 7, invite: trigger a review invitation",
       use_case="invite")
def invite(ctx):
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    _ran(ctx, "invite", customer)
    posted = seen.calls(ctx.journal(), None, "/v1/private/business-units/*/email-invitations")
    invitations = ctx.sandbox.invitations(customer.id).get("invitations", [])
    mine = [i for i in invitations if _address(i) == ctx.invitee["email"]]
    if not mine:
        raise CheckFailed(f"no invitation to {ctx.invitee['email']} was created for {customer.domain}; "
                          f"invitation requests: {seen.listing(posted) or 'none'}")
    reference = next((i.get("referenceNumber") or i.get("referenceId") for i in mine), None)
    if reference != ctx.invitee["referenceId"]:
        raise CheckFailed(f"the invitation's reference is {reference!r}, not the order reference "
                          f"{ctx.invitee['referenceId']!r} the kit asked for")
    ctx.note(f"invitation created for {ctx.invitee['email']} (reference {reference})")


def _address(invitation):
    consumer = invitation.get("consumer") or {}
    return invitation.get("consumerEmail") or consumer.get("email") or invitation.get("email")


@check("usecase.showcase", "Showcase reads the TrustScore and the reviews",
       "Step 7, showcase: show real-time reviews and ratings", use_case="showcase")
def showcase(ctx):
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    before = ctx.journal()[-1]["seq"]
    _ran(ctx, "showcase", customer)
    entries = [e for e in ctx.journal() if e["seq"] > before and seen.ok(e)]
    score = [e for path in (f"/v1/business-units/{customer.id}", f"/v1/business-units/{customer.id}/profileinfo",
                            "/v1/business-units/find") for e in seen.calls(entries, "GET", path)]
    reviews = [e for pattern in REVIEW_LISTS + (ALL_REVIEWS,) for e in seen.calls(entries, "GET", pattern)]
    if not score:
        raise CheckFailed(f"showcase never read the business unit's score (GET /v1/business-units/{customer.id}, "
                          f"its /profileinfo or /find); calls: {seen.listing(entries)}")
    if not reviews:
        raise CheckFailed(f"showcase never read reviews; calls: {seen.listing(entries)}")
    ctx.note(f"score read at #{score[0]['seq']}, reviews at #{reviews[0]['seq']}")
