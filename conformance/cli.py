"""trustpilot-conformance: run a partner's integration against the sandbox and report readiness.

    trustpilot-conformance run --manifest FILE [--sandbox URL] [--junit F] [--json F] [--html F] [--only ID ...]
                               [--browser http|chromium]
    trustpilot-conformance list                  # the requirement catalog
    trustpilot-conformance validate FILE         # check a manifest

Exit status: 0 when every required check passes, 1 when one does not, 2 when the kit cannot run.
"""

import argparse
import os
import signal
import sys

from . import manifest as manifests
from .checks import CATALOG
from .reporters import Fanout, build_reporters
from .runner import UnknownCheck, run, select

EXIT_READY, EXIT_NOT_READY, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 130
# Stated in each --help, as in the README ("Exit statuses").
RUN_EXITS = """exit status:
  0    ready: every required check passed
  1    not ready: a required check did not pass (the report says which and why)
  2    the kit cannot run: bad arguments, an invalid manifest, an unreachable --sandbox
  130  interrupted (Ctrl-C or SIGTERM): no report written"""
VALIDATE_EXITS = """exit status:
  0  the manifest is valid
  2  it is not (each problem printed as file:line: field: message), or bad arguments"""
LIST_EXITS = """exit status:
  0  the catalog was printed
  2  bad arguments"""


def main(argv=None):
    args = _parser().parse_args(argv)
    return args.handler(args)


def _parser():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="trustpilot-conformance", description=__doc__.splitlines()[0],
                                     formatter_class=raw, epilog="\n\n".join(
                                         text.replace("exit status:", f"exit status of {name}:")
                                         for name, text in (("run", RUN_EXITS), ("validate", VALIDATE_EXITS),
                                                            ("list", LIST_EXITS))))
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="run the checks and write the reports", epilog=RUN_EXITS,
                                  formatter_class=raw)
    run_cmd.add_argument("--manifest", required=True, help="the partner manifest (YAML)")
    run_cmd.add_argument("--sandbox", metavar="URL", help="a running sandbox (default: start one in this process)")
    run_cmd.add_argument("--control-token", default=os.environ.get("TRUSTPILOT_SANDBOX_CONTROL_TOKEN"),
                         help="the sandbox's control token when it is not on loopback "
                              "(default: $TRUSTPILOT_SANDBOX_CONTROL_TOKEN)")
    run_cmd.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    run_cmd.add_argument("--json", metavar="FILE", help="write a JSON report")
    run_cmd.add_argument("--html", metavar="FILE", help="write the HTML review report")
    run_cmd.add_argument("--only", nargs="+", metavar="ID", help="run only these checks (ids or prefixes: consent)")
    run_cmd.add_argument("--jobs", type=int, default=2, help="checks run side by side (default: 2)")
    run_cmd.add_argument("--browser", choices=("http", "chromium"), default="http",
                         help="how the customer's consent is given: plain HTTP (default) or real headless "
                              "Chromium (/usr/bin/chromium, needs Playwright)")
    run_cmd.add_argument("--quiet", action="store_true", help="no console output; the exit status says it all")
    run_cmd.set_defaults(handler=_run)
    list_cmd = commands.add_parser("list", help="print the requirement catalog", epilog=LIST_EXITS,
                                   formatter_class=raw)
    list_cmd.set_defaults(handler=_list)
    validate = commands.add_parser("validate", help="check a manifest and say what is wrong, with line numbers",
                                   epilog=VALIDATE_EXITS, formatter_class=raw)
    validate.add_argument("manifest")
    validate.set_defaults(handler=_validate)
    return parser


def _run(args):
    try:
        manifest = manifests.load(args.manifest)
        select(args.only)
    except (manifests.ManifestError, UnknownCheck) as exc:
        print(f"trustpilot-conformance: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    from .emulator import Emulator, SandboxUnreachable  # imports Flask: only when there is a run to do

    signal.signal(signal.SIGTERM, _interrupt)  # a cancelled CI job: stop the services, as on Ctrl-C

    try:
        emulator = Emulator(args.sandbox, args.control_token)
    except SandboxUnreachable as exc:
        print(f"trustpilot-conformance: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if hasattr(sys.stdout, "reconfigure"):  # an integration's output in a terminal that cannot show it
        sys.stdout.reconfigure(errors="replace")
    reporters = build_reporters(console_stream=None if args.quiet else sys.stdout, junit=args.junit,
                                json_path=args.json, html=args.html)
    try:
        summary = run(manifest, emulator, Fanout(reporters), only=args.only, jobs=args.jobs, browser=args.browser)
    except KeyboardInterrupt:
        print("trustpilot-conformance: interrupted; no report written", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        emulator.close()
    return EXIT_READY if summary.ready else EXIT_NOT_READY


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _list(args):
    for check in CATALOG:
        print(f"{check.id:<34} {check.severity:<11} {check.title}")
        print(f"{'':<34} {'':<11} {check.requirement}")
    return EXIT_READY


def _validate(args):
    try:
        manifest = manifests.load(args.manifest)
    except manifests.ManifestError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(f"{manifest.path}: valid manifest for {manifest.name!r} (use cases: {', '.join(manifest.use_cases) or 'none'})")
    return EXIT_READY


if __name__ == "__main__":
    sys.exit(main())
