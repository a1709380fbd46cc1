"""The ``trustpilot-mock`` command: ``serve`` a world, ``scenario validate`` a file, ``compare`` (drift/)."""

import argparse
import os
import sys

from . import scenario, scenario_limits
from .control_access import ENVIRONMENT, HEADER
from .drift import command as drift_command
from .ports import PortUnavailable
from .proxy import ProxyUnavailable
from .state.errors import InvalidScenario
from .state.store import UnsupportedStateFile


def main(argv=None):
    args = _parser().parse_args(argv)
    return args.run(args)


# The exit statuses, stated in each --help and in the README ("Exit statuses").
SERVE_EXITS = """exit status:
  0  stopped cleanly (Ctrl-C or SIGTERM)
  2  could not start: bad arguments, an invalid scenario, a port it cannot
     listen on (--port or --proxy-port; the message names the port and, when known,
     who holds it), a --proxy-ca-dir it cannot use, a --state file written by a
     newer release (the message names its version), or a
     TRUSTPILOT_MOCK_READ_TIMEOUT that is not a number of seconds"""
VALIDATE_EXITS = """exit status:
  0  the file is a valid scenario
  1  the file is not a valid scenario (each problem printed as file:line: field: message)
  2  bad arguments"""
MAIN_EXITS = f"""{SERVE_EXITS.replace("exit status:", "exit status of serve:")}

{VALIDATE_EXITS.replace("exit status:", "exit status of scenario validate:")}

{drift_command.COMPARE_EXITS.replace("exit status:", "exit status of compare:")}"""


def _parser():
    parser = argparse.ArgumentParser(prog="trustpilot-mock", description="Trustpilot partner sandbox",
                                     epilog=MAIN_EXITS, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve a world over HTTP (granian)", epilog=SERVE_EXITS,
                                description="Serve a world over HTTP (granian), on one port for the API, "
                                            "the invitations API, the login page and the /_mock control plane.",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--scenario", default=str(scenario.DEFAULT_SCENARIO),
                       help="scenario file to load (default: the default world, scenarios/default.yaml)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=_port, default=8080,
                       help="port to bind (default: 8080; 0 picks a free port and prints it)")
    serve.add_argument("--workers", type=_positive, default=2, help="worker processes (default: 2)")
    serve.add_argument("--state", metavar="PATH",
                       help="SQLite file holding the state; kept across restarts (default: a temporary file)")
    serve.add_argument("--reset", action="store_true",
                       help="with --state: load the scenario afresh even if the file already holds a world")
    serve.add_argument("--quiet", action="store_true", help="do not print the world's credentials at start")
    serve.add_argument("--control-token", metavar="TOKEN", default=os.environ.get(ENVIRONMENT) or None,
                       help=f"require this token (header {HEADER}) on the /_mock control plane (default: "
                            f"${ENVIRONMENT}; on a non-loopback --host without one, a token is generated and printed)")
    serve.add_argument("--proxy-port", type=_port, metavar="PORT",
                       help="also serve an HTTPS proxy (HTTPS_PROXY) on this port for integrations with "
                            "api.trustpilot.com hard-coded (0: any free port); see the README's \"Proxy mode\"")
    serve.add_argument("--proxy-ca-dir", metavar="DIR",
                       help="where the proxy's local CA is made once and reused (default: "
                            "$TRUSTPILOT_MOCK_PROXY_CA_DIR, else ~/.local/share/trustpilot-mock/proxy-ca)")
    _limit_option(serve)
    serve.set_defaults(run=_serve)

    scenario_cmd = commands.add_parser("scenario", help="work with scenario files", epilog=VALIDATE_EXITS,
                                       formatter_class=argparse.RawDescriptionHelpFormatter)
    scenario_sub = scenario_cmd.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    validate = scenario_sub.add_parser("validate", help="check a scenario file against scenarios/schema.json",
                                       epilog=VALIDATE_EXITS, formatter_class=argparse.RawDescriptionHelpFormatter)
    validate.add_argument("path")
    _limit_option(validate)
    validate.set_defaults(run=_validate)
    drift_command.register(commands)
    return parser


def _limit_option(command):
    command.add_argument("--limit", action="append", default=[], metavar="NAME=N", type=_limit,
                         help="raise a world-size cap for a big world on purpose, e.g. reviews=5000000 "
                              f"(names: {', '.join(scenario_limits.DEFAULT_LIMITS)}; repeatable; "
                              f"also ${scenario_limits.ENVIRONMENT})")


def _limit(text):
    try:
        scenario_limits.parse_limits(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _apply_limits(args):
    """The --limit values go into the environment: every loader reads them there, the server's
    workers (POST /_mock/scenario) included."""
    if args.limit:
        current = os.environ.get(scenario_limits.ENVIRONMENT)
        os.environ[scenario_limits.ENVIRONMENT] = ",".join(filter(None, [current, *args.limit]))


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _port(text):
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535 (0: any free port)")
    return value


def _validate(args):
    _apply_limits(args)
    try:
        data = scenario.load_file(args.path)
    except InvalidScenario as exc:
        print(exc.details, file=sys.stderr)
        return 1
    units = data.get("businessUnits", [])
    print(f"{args.path}: valid scenario {data['name']!r} "
          f"({len(data.get('partners', []))} partners, {len(units)} business units)")
    return 0


def _serve(args):
    from .server import InvalidSetting, serve

    _apply_limits(args)
    try:
        world = scenario.load_file(args.scenario)
    except InvalidScenario as exc:
        print(exc.details, file=sys.stderr)
        return 2
    proxy = None
    try:
        if args.proxy_port is not None:
            from .proxy import start_for_serve

            proxy, args.port = start_for_serve(args.host, args.port, args.proxy_port, args.proxy_ca_dir,
                                               args.quiet)
        return serve(world, host=args.host, port=args.port, workers=args.workers, state_path=args.state,
                     reset=args.reset, quiet=args.quiet, control_token=args.control_token)
    except (PortUnavailable, UnsupportedStateFile, ProxyUnavailable, InvalidSetting) as exc:
        print(f"trustpilot-mock serve: {exc}", file=sys.stderr)
        return 2
    finally:
        if proxy is not None:
            proxy.stop()


if __name__ == "__main__":
    sys.exit(main())
