"""trustpilot-conformance: run a partner's integration against the sandbox and report readiness.

    trustpilot-conformance run --manifest FILE [--sandbox URL] [--junit F] [--json F] [--html F] [--only ID ...]
                               [--browser http|chromium]
    trustpilot-conformance explore --manifest FILE [--budget N] [--time S] [--seed N] [--out FILE]
    trustpilot-conformance replay FILE           # run a failing world the explorer wrote, again
    trustpilot-conformance list                  # the requirement catalog
    trustpilot-conformance validate FILE         # check a manifest

Exit status: 0 READY (every required check passes or does not apply); 1 NOT READY (the integration
fails a required check, or one is blocked by such a failure); 2 when the kit cannot run or failed
itself on some check; 3 PARTIAL (--only: the selected checks pass, but a partial run is no verdict);
130 interrupted.
"""

import argparse
import os
import signal
import sys

from . import manifest as manifests
from .checks import CATALOG
from .reporters import Fanout, build_reporters
from .runner import UnknownCheck, run, select

EXIT_READY, EXIT_NOT_READY, EXIT_CANNOT_RUN, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
# Stated in each --help, as in the README ("Exit statuses").
RUN_EXITS = """exit status:
  0    ready: every required check passed or does not apply
  1    not ready: a required check failed, or is blocked by one that failed (the report says which and why)
  2    the kit cannot run: bad arguments, an invalid manifest, an unreachable --sandbox, or a kit error
  3    partial: the checks selected with --only pass, but a partial run is no verdict
  130  interrupted (Ctrl-C or SIGTERM): no report written"""
EXPLORE_EXITS = """exit status:
  0    no failing world was found within the budget
  1    a failing world was found: the minimal one is printed and written to the replay file
  2    the kit cannot run: bad arguments, an invalid manifest, an unreachable --sandbox, or a kit error
  130  interrupted (Ctrl-C or SIGTERM)"""
REPLAY_EXITS = """exit status:
  0    the replayed checks pass in the replay file's world (fixed)
  1    a replayed check still fails
  2    the kit cannot run: bad arguments, an invalid replay file or manifest, an unreachable --sandbox
  130  interrupted (Ctrl-C or SIGTERM)"""
VALIDATE_EXITS = """exit status:
  0  the manifest is valid
  2  it is not (each problem printed as file:line: field: message), or bad arguments"""
LIST_EXITS = """exit status:
  0  the catalog was printed
  2  bad arguments"""


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:  # explore and replay: Ctrl-C, or SIGTERM where a handler raises it
        print("trustpilot-conformance: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a bug of the kit's own: one clear line, never a traceback
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "no details"
        print(f"trustpilot-conformance: the kit failed ({type(exc).__name__}: {detail}); this is a bug of the "
              "kit, not a verdict on the integration", file=sys.stderr)
        return EXIT_CANNOT_RUN


def exit_status(summary):
    """The run's exit status: the kit's own failure first (the verdict cannot be trusted), then the
    integration's, then a partial run."""
    if summary.kit_failed:
        return EXIT_CANNOT_RUN
    if any(r.blocking for r in summary.results):
        return EXIT_NOT_READY
    return EXIT_PARTIAL if summary.partial else EXIT_READY


def _parser():
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="trustpilot-conformance", description=__doc__.splitlines()[0],
                                     formatter_class=raw, epilog="\n\n".join(
                                         text.replace("exit status:", f"exit status of {name}:")
                                         for name, text in (("run", RUN_EXITS), ("explore", EXPLORE_EXITS),
                                                            ("replay", REPLAY_EXITS), ("validate", VALIDATE_EXITS),
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
    explore = commands.add_parser("explore", help="generate worlds, judge them with the same checks, shrink a "
                                                  "failure to a minimal world and write a replay file",
                                  epilog=EXPLORE_EXITS, formatter_class=raw)
    explore.add_argument("--manifest", required=True, help="the partner manifest (YAML)")
    explore.add_argument("--budget", type=int, help="at most this many generated worlds (default: until --time)")
    explore.add_argument("--time", type=float, default=120.0, help="seconds to explore and shrink (default 120)")
    explore.add_argument("--seed", type=int, default=0, help="the same seed explores the same worlds (default 0)")
    explore.add_argument("--out", default="conformance-replay.yaml", help="where to write the replay file")
    explore.add_argument("--sandbox", metavar="URL", help="a running sandbox (default: start one in this process)")
    explore.set_defaults(handler=_explore)
    replay = commands.add_parser("replay", help="run the checks of a replay file in its world",
                                 epilog=REPLAY_EXITS, formatter_class=raw)
    replay.add_argument("replay_file")
    replay.add_argument("--sandbox", metavar="URL", help="a running sandbox (default: start one in this process)")
    replay.set_defaults(handler=_replay)
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
    if summary.kit_failed:
        print("trustpilot-conformance: the kit failed on some check (status 'error'); see its message",
              file=sys.stderr)
    return exit_status(summary)


def _explore(args):
    from . import explorer
    from .emulator import Emulator, SandboxUnreachable
    from .runner import kit_version, watched

    try:
        manifest = manifests.load(args.manifest)
        emulator = Emulator(args.sandbox)
    except (manifests.ManifestError, SandboxUnreachable) as exc:
        print(f"trustpilot-conformance: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    exploration = explorer.Exploration(manifest, emulator, budget=args.budget, seconds=args.time, seed=args.seed)
    print(f"Exploring worlds for {manifest.name} (seed {args.seed}, kit {kit_version()}): "
          f"{', '.join(c.id for c in exploration.checks) or 'no world-sensitive check is claimed'}", flush=True)
    try:
        with watched():
            world, failures = exploration.run()
    except explorer.ExplorerUnavailable as exc:
        print(f"trustpilot-conformance: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    finally:
        emulator.close()
    if world is None:
        print(f"No failing world in {exploration.tried} example(s).")
        return EXIT_READY
    explorer.write_replay(args.out, manifest, world, failures, args.seed)
    print(f"Minimal failing world after {exploration.tried} example(s):\n{explorer.describe(world)}")
    _print_results(failures)
    print(f"Reproduce it: trustpilot-conformance replay {args.out}")
    return EXIT_NOT_READY


def _replay(args):
    from pathlib import Path

    from . import explorer
    from .emulator import Emulator, SandboxUnreachable
    from .runner import watched

    try:
        document = explorer.read_replay(args.replay_file)
        manifest = manifests.load(Path(args.replay_file).resolve().parent / document["manifest"])
        emulator = Emulator(args.sandbox)
    except (explorer.ReplayError, manifests.ManifestError, SandboxUnreachable) as exc:
        print(f"trustpilot-conformance: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(f"Replaying {args.replay_file} for {manifest.name}:\n{explorer.describe(document['world'])}", flush=True)
    checks = [c for c in CATALOG if c.id in document["checks"]]
    try:
        with watched():
            results = explorer.run_checks(manifest, emulator, checks, document["world"])
    finally:
        emulator.close()
    _print_results(results)
    if any(r.status == "error" for r in results):
        return EXIT_CANNOT_RUN
    return EXIT_NOT_READY if any(r.status == "fail" for r in results) else EXIT_READY


def _print_results(results):
    """The checks explore and replay judged, one line each: status, id, and the message if any."""
    for result in results:
        print(f"  {result.status} {result.id}" + (f": {result.message}" if result.message else ""))


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
