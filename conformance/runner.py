"""Run the catalog against one integration: a fresh world per check, events to the reporters.

Checks that need a sandbox run in a small thread pool (each has its own world, its own service
instance on its own port and its own data folder, so they cannot see each other); the program
checks that only read the manifest and the other results run last. Reporters hear every event
from this (the calling) thread.
"""

import os
from importlib import metadata
import shutil
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import datetime, timezone

from .browsers import BrowserError
from .checks import CATALOG, Blocked, CheckFailed, NotApplicable
from .context import CheckContext, ResultsContext
from . import watchdog
from .driver import Integration, IntegrationError, kill_everything, use_registry
from .results import ACCEPTABLE, NOT_APPLICABLE, CheckResult, Evidence, RunInfo, RunSummary
from .worlds import World



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
                   checks=[c.id for c in checks], use_cases=manifest.use_cases,
                   partial=len(checks) < len(CATALOG), kit_version=kit_version())
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
    """Checks with a world run side by side, each once every check it depends on is final; a check
    whose prerequisite did not pass is reported blocked without running. Then the checks that judge
    the results. Every result is reported once, as it becomes final."""
    reporter.run_started(info)
    results = {}
    selected = {c.id for c in checks}

    def report(result):
        results[result.id] = result
        reporter.check_finished(result)

    waiting = [c for c in checks if c.world is not None]
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="check") as pool:
        running = {}
        try:
            while waiting or running:
                for check in _ready(waiting, results, selected):
                    blocked = _blocked(check, results, selected)
                    if blocked is None and len(running) >= max(1, jobs):
                        break
                    waiting.remove(check)
                    if blocked is not None:
                        report(blocked)
                        continue
                    reporter.check_started(check.id, check.title)
                    running[pool.submit(run_in_world, check, manifest, emulator, browser)] = check
                if running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in sorted(done, key=lambda f: checks.index(running[f])):
                        del running[future]
                        report(future.result())
                elif waiting and not _ready(waiting, results, selected):
                    raise RuntimeError(f"checks wait on each other: {', '.join(c.id for c in waiting)}")
        except KeyboardInterrupt:  # start no more checks; end the running ones' processes now
            for future in running:
                future.cancel()
            kill_everything()
            raise
    for check in (c for c in checks if c.world is None):
        blocked = _blocked(check, results, selected)
        if blocked is None:
            reporter.check_started(check.id, check.title)
            blocked = run_on_results(check, manifest, [results[c.id] for c in checks if c.id in results])
        report(blocked)
    summary = RunSummary(results=[results[c.id] for c in checks], seconds=round(time.monotonic() - started, 2),
                         partial=info.partial)
    reporter.run_finished(info, summary)
    return summary


def _ready(waiting, results, selected):
    """The waiting checks whose selected prerequisites are all final: those that others wait on
    first (they unblock the most work), then in catalog order."""
    ready = [c for c in waiting if all(d in results for d in c.depends_on if d in selected)]
    return sorted(ready, key=lambda c: -sum(1 for other in waiting if c.id in other.depends_on))


def _blocked(check, results, selected):
    """A 'blocked' result when a prerequisite that ran did not pass (or apply), else None.
    A prerequisite left out by --only is not judged, so it blocks nothing."""
    for prerequisite in (d for d in check.depends_on if d in selected):
        before = results[prerequisite]
        if before.status not in ACCEPTABLE:
            root = before.root_cause or prerequisite
            because = f" (root cause: {root})" if root != prerequisite else ""
            result = _result(check, "blocked", f"blocked by {prerequisite}, which did not pass{because}",
                             Evidence(), time.monotonic())
            result.blocked_by, result.root_cause = prerequisite, root
            return result
    return None


def run_in_world(check, manifest, emulator, browser="http", scenario=None, schedule=None):
    """One check in its own fresh world (the kit's, or ``scenario``: a world in the same format with
    the same customers, e.g. one the explorer generated) with its own instance of the integration.
    ``schedule`` (the explorer's) acts before each trigger, e.g. moves the sandbox clock, and gives
    the triggers its ``grace_seconds`` on top of their timeout (the waits its faults ask for)."""
    started = time.monotonic()
    if check.use_case and check.use_case not in manifest.use_cases:
        return _result(check, NOT_APPLICABLE, f"the integration does not claim the {check.use_case!r} use case",
                       Evidence(), started)
    workdir = tempfile.mkdtemp(prefix=f"conformance-{check.id}-")
    integration = Integration(manifest, workdir)
    integration.grace_seconds = schedule.grace_seconds if schedule is not None else 0
    world = ctx = proxy = None
    status, message = "pass", ""
    try:
        world = World(emulator, check.world, integration.redirect_uri, scenario)
        if manifest.proxy_mode:  # its hosts are hard-coded: a proxy of its own answers them from this world
            proxy = emulator.proxy_for(world.sandbox.name)
        integration.point_at(world.sandbox, world.partner, proxy)
        ctx = CheckContext(manifest, world, integration, browser, schedule)
        integration.start_service()
        check.run(ctx)
    except CheckFailed as exc:
        status, message = "fail", str(exc)
    except NotApplicable as exc:
        status, message = NOT_APPLICABLE, str(exc)
    except IntegrationError as exc:  # the partner's service did not start: the integration's failure
        status, message = "fail", f"the integration could not be driven: {exc}"
    except BrowserError as exc:
        status, message = "error", f"the kit's browser failed: {exc}"
    except Exception as exc:  # a kit or sandbox failure: the check could not judge
        status, message = "error", kit_failure(exc)
    finally:
        integration.stop_service()
        if ctx is not None:
            ctx.close()
        if proxy is not None:
            proxy.stop()
    try:
        evidence = ctx.finish() if ctx is not None else Evidence()
        if ctx is not None:
            message = ctx.redact(message)
    except Exception as exc:  # the sandbox went away while the evidence was collected
        evidence, status = Evidence(), "error"
        message = f"{message}\nthe kit could not collect the evidence: {kit_failure(exc)}".strip()
    finally:
        if world is not None:
            world.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return _result(check, status, message, evidence, started)


def kit_failure(exc):
    """The kit's own failure in one clear sentence: what failed, never a traceback."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "no details"
    return f"the kit could not judge this check ({type(exc).__name__}: {detail})"


def run_on_results(check, manifest, results):
    """A check that judges the manifest and the other checks' results (world=None)."""
    started = time.monotonic()
    ctx = ResultsContext(manifest, results)
    status, message, blocked = "pass", "", None
    try:
        check.run(ctx)
    except Blocked as exc:
        status, blocked = "blocked", exc
        message = f"blocked by {exc.prerequisite}, which did not pass" + (
            f" (root cause: {exc.root_cause})" if exc.root_cause != exc.prerequisite else "")
    except CheckFailed as exc:
        status, message = "fail", str(exc)
    except NotApplicable as exc:
        status, message = ("manual" if check.severity == "manual" else NOT_APPLICABLE), str(exc)
    except Exception as exc:  # noqa: BLE001 - the kit's own failure, reported as such
        status, message = "error", kit_failure(exc)
    result = _result(check, status, message, Evidence(notes=[n for n in ctx.notes if n]), started)
    if blocked is not None:
        result.blocked_by, result.root_cause = blocked.prerequisite, blocked.root_cause
    return result


def kit_version():
    try:
        return metadata.version("trustpilot-partner-sandbox")
    except metadata.PackageNotFoundError:
        return "unknown"


def _result(check, status, message, evidence, started):
    return CheckResult(id=check.id, title=check.title, requirement=check.requirement, severity=check.severity,
                       status=status, message=message, evidence=evidence,
                       seconds=round(time.monotonic() - started, 3), world=check.world or "")
