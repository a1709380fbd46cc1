"""Program step 7: each accepted use case the integration claims really works (judged in the sandbox)."""

import json
import math

from . import seen
from .base import CheckFailed, check
from .onboarding import BRIGHT, QUIET, STARRY

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
       use_case="ingestion", depends_on=("consent.authorization-code",))
def ingestion(ctx):
    """Pass (journal): for Bright Shop every location page (1..n of the page size used) and every
    review page answered 2xx, the trigger completing; for Quiet Shop (nothing) the locations asked
    for and the trigger completing; for Starry Shop (emoji, right-to-left and combining text, a
    4,000-character review) the trigger completing. With a ``results`` probe in the manifest, the review and location
    ids the integration kept must be exactly the world's; without one, only the requests are judged
    (the note says so). Fail: a page not read, a failed run, ids missing or extra."""
    customer = ctx.world.customer(BRIGHT)
    ctx.connected(customer)
    before = ctx.journal()[-1]["seq"]
    _ran(ctx, "ingestion", customer)
    entries = [e for e in _mine(ctx.journal(), customer) if e["seq"] > before]
    units = {u["id"]: u for u in ctx.sandbox.state()["businessUnits"]}
    _all_pages(ctx, "location", seen.calls(entries, "GET", LOCATIONS), units[customer.id]["locations"], 200)
    _review_pages(ctx, entries, units[customer.id]["reviews"])
    _kept(ctx, customer, units[customer.id]["reviews"])
    empty = ctx.world.customer(QUIET)
    ctx.connected(empty)
    before = ctx.journal()[-1]["seq"]
    _ran(ctx, "ingestion", empty)
    asked = seen.calls([e for e in _mine(ctx.journal(), empty) if e["seq"] > before], "GET", LOCATIONS)
    if not asked:
        raise CheckFailed(f"ingesting {empty.domain} (no locations, no reviews) never asked for its locations")
    ctx.note(f"{empty.domain} (no locations, no reviews): ingestion completed")
    starry = ctx.world.customer(STARRY)
    ctx.connected(starry)
    _ran(ctx, "ingestion", starry)
    ctx.note(f"{starry.domain} (emoji, right-to-left and combining text, a 4,000-character review): "
             "ingestion completed")


def _kept(ctx, customer, total_reviews):
    """With the manifest's results probe: the ids the integration kept against the world's."""
    probe = ctx.manifest.results_probe
    if probe is None:
        ctx.note("the manifest declares no results probe: only the requests were judged, not what the "
                 "integration kept")
        return
    outcome = ctx.trigger("results", customer, definition=probe)
    kept = _probe_answer(outcome)
    if kept is None:
        raise CheckFailed(f"the results probe did not answer JSON with 'reviews' and 'locations' id lists "
                          f"({outcome.outcome}): {seen.tail(outcome.output)}")
    locations = _world_ids(ctx, f"/v1/business-units/{customer.id}/locations", "locations", 200)
    reviews = _world_ids(ctx, f"/v1/business-units/{customer.id}/reviews", "reviews", 100)
    kept_locations, kept_reviews = set(map(str, kept["locations"])), set(map(str, kept["reviews"]))
    missing = [i for i in locations if i not in kept_locations]
    unknown = sorted(kept_locations - set(locations))
    if missing or unknown:
        raise CheckFailed(f"the integration kept {len(kept_locations)} of the {len(locations)} locations of "
                          f"{customer.domain}: {len(missing)} missing (first: {missing[:3]}), {len(unknown)} not "
                          f"its own (first: {unknown[:3]}), although it requested the pages")
    missing = [i for i in reviews if i not in kept_reviews]
    if missing or len(kept_reviews) > total_reviews:
        raise CheckFailed(f"the integration kept {len(kept_reviews)} reviews of {customer.domain}: {len(missing)} of "
                          f"its {len(reviews)} published reviews missing (first: {missing[:3]}); the unit has "
                          f"{total_reviews} in all")
    ctx.note(f"the results probe: all {len(locations)} locations and {len(kept_reviews)} reviews kept (every one "
             f"of the {len(reviews)} published)")


def _probe_answer(outcome):
    """{'reviews': [...], 'locations': [...]} from the probe's output (its last JSON line), or None."""
    if not outcome.ok:
        return None
    for text in [outcome.output] + outcome.output.strip().splitlines()[::-1]:
        try:
            answer = json.loads(text)
        except ValueError:
            continue
        if isinstance(answer, dict) and all(isinstance(answer.get(k), list) for k in ("reviews", "locations")):
            return answer
    return None


def _world_ids(ctx, path, key, per_page):
    """Every id of a list of the world, read page by page with the kit's own key."""
    ids = []
    for page in range(1, 1000):
        status, body = ctx.kit_read(path, page=page, perPage=per_page)
        if status != 200:
            raise RuntimeError(f"the kit could not read {path} page {page} (HTTP {status})")
        batch = body.get(key) or []
        ids += [str(item["id"]) for item in batch]
        if len(batch) < per_page:
            return ids
    return ids


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
       use_case="reply", depends_on=("consent.authorization-code",))
def reply(ctx):
    """Pass (journal and the review): a 2xx POST .../reviews/<the review named>/reply, none to another
    review, and the review then carries the kit's message. Fail: another review, no 2xx, or the text."""
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
       use_case="invite", depends_on=("consent.authorization-code",))
def invite(ctx):
    """Pass (sandbox state): an invitation to the kit's recipient exists for the customer after the
    trigger; when the invite trigger takes {reference_id}, it carries that order reference. Fail:
    no invitation to the recipient (the requests are listed), or the wrong reference."""
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
    if not ctx.takes("invite", "reference_id"):
        ctx.note(f"invitation created for {ctx.invitee['email']} (found by recipient: the invite trigger takes "
                 f"no {{reference_id}}; reference {reference!r})")
        return
    if reference != ctx.invitee["referenceId"]:
        raise CheckFailed(f"the invitation's reference is {reference!r}, not the order reference "
                          f"{ctx.invitee['referenceId']!r} the kit asked for")
    ctx.note(f"invitation created for {ctx.invitee['email']} (reference {reference})")


def _address(invitation):
    consumer = invitation.get("consumer") or {}
    return invitation.get("consumerEmail") or consumer.get("email") or invitation.get("email")


@check("usecase.showcase", "Showcase reads the TrustScore and the reviews",
       "Step 7, showcase: show real-time reviews and ratings", use_case="showcase",
       depends_on=("consent.authorization-code",))
def showcase(ctx):
    """Pass (journal): for Bright Shop, a 2xx read of the business unit (itself, /profileinfo or /find)
    and of a review list, the trigger completing; the same for Quiet Shop (no reviews) and for Starry
    Shop (emoji, right-to-left and combining text, a 4,000-character review). Fail: no score read, no
    review list read, or a failed run (on any of them)."""
    for customer in (ctx.world.customer(BRIGHT), ctx.world.customer(QUIET), ctx.world.customer(STARRY)):
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
            raise CheckFailed(f"showcase of {customer.domain} never read reviews; calls: {seen.listing(entries)}")
        ctx.note(f"{customer.domain}: score read at #{score[0]['seq']}, reviews at #{reviews[0]['seq']}")
