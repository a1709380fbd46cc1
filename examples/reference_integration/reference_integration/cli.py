"""The commands the conformance manifest triggers; ``main(argv)`` is importable for tests and variants."""

import argparse
import json
import sys

import reference_integration as ri
from .config import IntegrationError


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m reference_integration",
        description="The reference Trustpilot partner integration (configured by TRUSTPILOT_* environment "
                    "variables and REFERENCE_INTEGRATION_DATA).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command = commands.add_parser("onboard", help="steps 3-5: find the customer's business unit by domain, "
                                                  "check eligibility, create and store its API key")
    command.add_argument("domain")
    command = commands.add_parser("serve", help="the web app: Connect Trustpilot and the OAuth callback (step 6)")
    command.add_argument("--port", type=int, required=True)
    command = commands.add_parser("ingest", help="read every review and location; print the counts as JSON")
    command.add_argument("business_unit_id")
    command = commands.add_parser("ingested", help="the review and location ids ingestion kept, as JSON")
    command.add_argument("business_unit_id")
    command = commands.add_parser("reply", help="reply to a review as the customer")
    command.add_argument("business_unit_id")
    command.add_argument("review_id")
    command.add_argument("message")
    command = commands.add_parser("invite", help="send a review invitation by e-mail")
    for name in ("business_unit_id", "email", "name", "reference_id"):
        command.add_argument(name)
    command = commands.add_parser("showcase", help="print the TrustScore and the latest reviews")
    command.add_argument("business_unit_id")
    return parser


def run(args):
    """Run one parsed command; returns the text to print (or None)."""
    if args.command == "onboard":
        return ri.onboard(args.domain)
    if args.command == "serve":
        from . import web  # http.server costs every other command start-up time

        return web.serve(args.port)
    if args.command == "ingest":
        return json.dumps(ri.ingest(args.business_unit_id))
    if args.command == "ingested":
        return json.dumps(ri.ingested(args.business_unit_id))
    if args.command == "reply":
        return ri.reply(args.business_unit_id, args.review_id, args.message)
    if args.command == "invite":
        return ri.invite(args.business_unit_id, args.email, args.name, args.reference_id)
    return ri.showcase(args.business_unit_id)


def main(argv=None):
    """Exit status 0 on success; 1 with one redacted line on stderr on failure (2: bad usage)."""
    args = build_parser().parse_args(argv)
    try:
        output = run(args)
    except IntegrationError as exc:
        return _fail(str(exc))
    except Exception as exc:  # a bug: still one line, still redacted
        return _fail(f"internal error in the integration ({type(exc).__name__}: {exc})")
    if output:
        print(ri.redact(output))
    return 0


def _fail(message):
    print("error: " + " ".join(ri.redact(message).split()), file=sys.stderr)
    return 1
