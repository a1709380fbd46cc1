"""Run the catalog against one integration: a fresh world per check, events to the reporters.

Checks that need a sandbox run in a small thread pool (each has its own world, its own service
instance on its own port and its own data folder, so they cannot see each other); the program
checks that only read the manifest and the other results run last. Reporters hear every event
from this (the calling) thread.
"""

import os
import shutil
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from datetime import datetime, timezone

from .browsers import BrowserError
from .checks import CATALOG, CheckFailed, NotApplicable
from .checks.security import leaks_elsewhere
from .context import CheckContext
from . import watchdog
from .driver import Integration, IntegrationError, kill_everything, use_registry
from .results import CheckResult, Evidence, RunInfo, RunSummary
from .worlds import World


SECRETS_CHECK = "security.no-secrets"


class UnknownCheck(ValueError):
    """--only named something that is not a check id or an id prefix."""


def select(only=None):
    """The checks to run, in catalog order: all, or those whose id is or starts with one of ``only``."""
    if not only:
        return list(CATALOG)
    def named(check, name):
        return check.id == name or check.id.startswith(name.rstrip(".") + ".")

    chosen = [c for c in CATALOG if any(named(c, o) for o in only)]
    unknown = [o for o in only if not any(named(c, o) for c in CATALOG)]
    if unknown:
        raise UnknownCheck(f"no check is called {', '.join(map(repr, unknown))}; the checks are: "
                           f"{', '.join(c.id for c in CATALOG)}")
    return chosen


def run(manifest, emulator, reporter, only=None, jobs=2, browser="http"):
    checks = select(only)
    info = RunInfo(integration=manifest.name, manifest=str(manifest.path), sandbox=emulator.where,
                   started_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   checks=[c.id for c in checks], use_cases=manifest.use_cases)
    started = time.monotonic()
    with watched():
        return _run(checks, info, manifest, emulator, reporter, jobs, browser, started)


@contextmanager
def watched():
    """A watchdog kills the integration's processes should this process die without cleaning up."""
    handle, registry = tempfile.mkstemp(prefix="conformance-groups-")
    os.close(handle)
    use_registry(registry)
    guard = watchdog.start(registry)
    try:
        yield
    finally:
        use_registry(None)
        os.unlink(registry)
        guard.terminate()  # the run cleaned up after itself: nothing left to watch
        guard.wait()


def _run(checks, info, manifest, emulator, reporter, jobs, browser, started):
    reporter.run_started(info)
    results = {}
    in_worlds = [c for c in checks if c.world is not None]
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="check") as pool:
        futures = {}
        for check in in_worlds:
            reporter.check_started(check.id, check.title)
            futures[pool.submit(run_in_world, check, manifest, emulator, browser)] = check
        try:
            for future in as_completed(futures):
                result = future.result()
                results[result.id] = result
                reporter.check_finished(result)
        except KeyboardInterrupt:  # start no more checks; end the running ones' processes now
            for future in futures:
                future.cancel()
            kill_everything()
            raise
    _judge_leaks_everywhere(results)
    for check in (c for c in checks if c.world is None):
        reporter.check_started(check.id, check.title)
        result = run_on_results(check, manifest, [results[c.id] for c in in_worlds])
        results[result.id] = result
        reporter.check_finished(result)
    summary = RunSummary(results=[results[c.id] for c in checks], seconds=round(time.monotonic() - started, 2))
    reporter.run_finished(info, summary)
    return summary


def _judge_leaks_everywhere(results):
    """security.no-secrets also fails for a secret any other check found in the integration's output."""
    own = results.get(SECRETS_CHECK)
    message = leaks_elsewhere(list(results.values()))
    if own is not None and own.status == "pass" and message:
        own.status, own.message = "fail", message


def run_in_world(check, manifest, emulator, browser="http"):
    """One check in its own fresh world with its own instance of the integration."""
    started = time.monotonic()
    if check.use_case and check.use_case not in manifest.use_cases:
        return _result(check, "skip", f"the integration does not claim the {check.use_case!r} use case",
                       Evidence(), started)
    workdir = tempfile.mkdtemp(prefix=f"conformance-{check.id}-")
    integration = Integration(manifest, workdir)
    world = ctx = None
    status, message = "pass", ""
    try:
        world = World(emulator, check.world, integration.redirect_uri)
        integration.point_at(world.sandbox, world.partner)
        ctx = CheckContext(manifest, world, integration, browser)
        integration.start_service()
        check.run(ctx)
    except CheckFailed as exc:
        status, message = "fail", str(exc)
    except NotApplicable as exc:
        status, message = "skip", str(exc)
    except (IntegrationError, BrowserError) as exc:
        status, message = "error", f"the integration could not be driven: {exc}"
    except Exception as exc:  # a kit or sandbox failure: the check could not judge
        status, message = "error", f"the kit could not judge this check: {exc!r}\n{traceback.format_exc(limit=4)}"
    finally:
        integration.stop_service()
        if ctx is not None:
            ctx.close()
    try:
        evidence = ctx.finish() if ctx is not None else Evidence()
        if ctx is not None:
            message = ctx.redact(message)
    except Exception as exc:  # the sandbox went away while the evidence was collected
        evidence, status = Evidence(), "error"
        message = f"{message}\nthe kit could not collect the evidence: {exc!r}".strip()
    finally:
        if world is not None:
            world.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return _result(check, status, message, evidence, started)


def run_on_results(check, manifest, results):
    started = time.monotonic()
    status, message, notes = "pass", "", []
    try:
        notes.append(check.run(manifest, results))
    except CheckFailed as exc:
        status, message = "fail", str(exc)
    except NotApplicable as exc:
        status, message = ("manual" if check.severity == "manual" else "skip"), str(exc)
    return _result(check, status, message, Evidence(notes=[n for n in notes if n]), started)


def _result(check, status, message, evidence, started):
    return CheckResult(id=check.id, title=check.title, requirement=check.requirement, severity=check.severity,
                       status=status, message=message, evidence=evidence,
                       seconds=round(time.monotonic() - started, 3), world=check.world or "")
