"""``trustpilot-mock compare``: its options, its exit statuses, and the run that prints the report."""

import argparse
import os
import sys
from urllib.parse import urlsplit

from .. import scenario

ENVIRONMENT = "TRUSTPILOT_API_KEY"
COMPARE_EXITS = """exit status:
  0  no drift: every operation answered the same status with the same shape (or was skipped)
  1  drift found: a missing or extra field, a type change or a status difference
  2  cannot compare: bad arguments, a side that cannot be reached, or a side whose
     first call (finding the business unit by domain) failed; the message names the side"""


def register(commands):
    """Add ``compare`` to the ``trustpilot-mock`` subcommands."""
    _, default_domain, default_key = default_world()
    command = commands.add_parser(
        "compare", help="compare the sandbox's shapes with a real API's (drift check)", epilog=COMPARE_EXITS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Replay a fixed set of read-only public calls (GET only, API key only) against a real\n"
                    "Trustpilot API and against the sandbox, and report per operation the fields missing or\n"
                    "extra, the type changes and the status differences. Values are not compared. The key\n"
                    "is sent in the apikey header and never printed.")
    command.add_argument("--real", required=True, type=_base_url, metavar="URL",
                         help="base URL of the real API, e.g. https://api.trustpilot.com")
    command.add_argument("--apikey", metavar="KEY", default=os.environ.get(ENVIRONMENT) or None,
                         help=f"the real API's key (default: ${ENVIRONMENT}, which keeps it out of shell history)")
    command.add_argument("--domain", metavar="D",
                         help="domain of a business unit on the real API (default: the sandbox side's domain)")
    command.add_argument("--against", type=_base_url, metavar="URL",
                         help="a running sandbox's base URL (default: a sandbox in this process, default world)")
    command.add_argument("--against-apikey", metavar="KEY", default=default_key,
                         help=f"with --against: its API key (default: {default_key}, the default world's partner)")
    command.add_argument("--against-domain", metavar="D", default=default_domain,
                         help=f"with --against: its business unit's domain (default: {default_domain}, "
                              "the default world's first unit)")
    command.add_argument("--timeout", type=_seconds, default=30.0, metavar="SECONDS",
                         help="per request (default: 30)")
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.set_defaults(run=run)
    return command


def default_world():
    """The default world: its first business unit's domain and its first partner's API key."""
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    return world, world["businessUnits"][0]["domain"], world["partners"][0]["apiKey"]


def run(args):
    # Imported here: the other commands start without requests and werkzeug's test client.
    from . import report as reports
    from .run import compare
    from .sides import CannotCompare, in_process, redact, remote

    if not args.apikey:
        print(f"trustpilot-mock compare: --apikey (or ${ENVIRONMENT}) is required: the real API's key",
              file=sys.stderr)
        return 2
    keys = (args.apikey, args.against_apikey)
    sides = []
    try:
        sandbox = (remote("sandbox", args.against, args.against_apikey, args.against_domain, args.timeout)
                   if args.against else in_process(args.timeout))
        sides.append(sandbox)
        real = remote("real", args.real, args.apikey, args.domain or sandbox.domain, args.timeout)
        sides.append(real)
        result = compare(real, sandbox)
    except CannotCompare as exc:
        print(f"trustpilot-mock compare: {redact(str(exc), *keys)}", file=sys.stderr)
        return 2
    finally:
        for side in sides:
            side.close()
    text = reports.dumps(result) if args.json else reports.as_text(result)
    print(redact(text, *keys))
    return 1 if result.drift else 0


def _base_url(text):
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # The text is not repeated: a key pasted into it would be printed.
        raise argparse.ArgumentTypeError("must be an http(s) base URL, e.g. https://api.trustpilot.com")
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError("give the base URL without a query or fragment (the key goes in --apikey)")
    return text.rstrip("/")


def _seconds(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value
