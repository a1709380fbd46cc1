"""The explorer: generated worlds judged by the same checks, a failure shrunk to a minimal world,
and a replay file that reproduces it."""

import pytest
import yaml

from conformance import cli, explorer, manifest as manifests
from conformance.checks import CATALOG
from conformance.runner import run_in_world

from kit_helpers import REFERENCE, reference_manifest


def test_explore_finds_and_shrinks_a_bug_the_fixed_catalog_misses(tmp_path, capsys):
    manifest = reference_manifest(tmp_path, variant="drops_page_at_multiple_of_200")
    replay = tmp_path / "replay.yaml"
    status = cli.main(["explore", "--manifest", str(manifest), "--seed", "0", "--out", str(replay)])
    out = capsys.readouterr().out
    assert status == cli.EXIT_NOT_READY
    assert "Minimal failing world after" in out
    assert "Bright Shop with 200 location(s) and 0 review(s)" in out
    assert "fail usecase.ingestion: the integration kept 0 of the 200 locations" in out
    document = yaml.safe_load(replay.read_text())
    assert (document["checks"], document["world"]) == (["usecase.ingestion"], {"locations": 200, "reviews": [],
                                                                              "faults": [], "clock": None})
    assert document["manifest"] == "trustpilot-conformance.yaml"  # relative: both files get committed
    assert cli.main(["replay", str(replay)]) == cli.EXIT_NOT_READY
    assert "fail usecase.ingestion: the integration kept 0 of the 200 locations" in capsys.readouterr().out


# Seeds that reach each planted bug within a few examples (bench/explore.py shows seed 0 finding
# every one within the default budget); the budget bounds the worlds generated, not the shrinking.
WORLD_DEPENDENT_BUGS = {
    "crashes_on_emoji": (15, "usecase.showcase", "Incorrect string value",
                         {"stars": 1, "text": explorer.EMOJI, "reported": False},
                         "  review 1: 1 stars: 'Loved it 😍🎉 fast delivery 🚚'"),
    "crashes_on_long_text": (127, "usecase.ingestion", "Data too long for column",
                             {"stars": 1, "text": explorer.long_text(1001), "reported": False},
                             "  review 1: 1 stars: 'This shop delivered everything on time a... (1001 characters)'"),
}


@pytest.mark.parametrize("variant", WORLD_DEPENDENT_BUGS)
def test_explore_finds_a_text_bug_and_shrinks_it_to_one_review(variant, tmp_path, capsys):
    seed, check_id, words, review, line = WORLD_DEPENDENT_BUGS[variant]
    replay = tmp_path / "replay.yaml"
    status = cli.main(["explore", "--manifest", str(reference_manifest(tmp_path, variant=variant)),
                       "--seed", str(seed), "--budget", "15", "--out", str(replay)])
    out = capsys.readouterr().out
    assert status == cli.EXIT_NOT_READY
    assert "Bright Shop with 0 location(s) and 1 review(s)\n" + line + "\n" in out
    assert f"fail {check_id}: " in out and words in out
    document = yaml.safe_load(replay.read_text())
    assert document["checks"] == [check_id]
    assert document["world"] == {"locations": 0, "reviews": [review], "faults": [], "clock": None}


def test_the_fixed_catalog_catches_the_long_text_crash_too_on_starry_shop(kit_emulator, tmp_path):
    manifest = manifests.load(reference_manifest(tmp_path, variant="crashes_on_long_text"))
    result = run_in_world(next(c for c in CATALOG if c.id == "usecase.ingestion"), manifest, kit_emulator)
    assert result.status == "fail"
    assert result.message.startswith("ingestion for starry-shop.example failed (exit 1): ")
    assert "Data too long for column 'text'" in result.message


# variant -> (checks it fails after the clock jump, words of the first failure)
NEVER_RENEWS = {
    "reconsent_instead_of_refresh": (["usecase.ingestion"], "fail usecase.ingestion: ingestion for "
                                     "quiet-shop.example failed (exit 1)"),
    "never_renews_partner_token": (["usecase.ingestion", "usecase.showcase"], "fail usecase.ingestion: could not "
                                   "get this far: onboarding starry-shop.example failed (exit 1)"),
}


@pytest.mark.parametrize("variant", NEVER_RENEWS)
def test_explore_moves_the_clock_past_the_token_lifetime_and_finds_an_integration_that_never_renews(
        variant, tmp_path, capsys):
    checks, words = NEVER_RENEWS[variant]
    replay = tmp_path / "replay.yaml"
    status = cli.main(["explore", "--manifest", str(reference_manifest(tmp_path, variant=variant)),
                       "--seed", "48", "--budget", "10", "--out", str(replay)])
    out = capsys.readouterr().out
    assert status == cli.EXIT_NOT_READY
    assert ("Bright Shop with 0 location(s) and 0 review(s)\n"
            "  clock: 100 hours forward before the kit's trigger 5 of each check\n") in out
    assert words in out
    document = yaml.safe_load(replay.read_text())
    assert (document["checks"], document["world"]) == (
        checks, {"locations": 0, "reviews": [], "faults": [], "clock": {"hours": 100, "beforeTrigger": 4}})
    assert cli.main(["replay", str(replay)]) == cli.EXIT_NOT_READY
    assert words in capsys.readouterr().out


def test_explore_on_a_correct_integration_finds_nothing(capsys):
    assert cli.main(["explore", "--manifest", str(REFERENCE), "--budget", "3"]) == cli.EXIT_READY
    assert "No failing world in 3 example(s)." in capsys.readouterr().out


def test_same_seed_explores_the_same_worlds(monkeypatch):
    def worlds(seed):
        seen = []
        monkeypatch.setattr(explorer, "judge", lambda manifest, emulator, checks, world: seen.append(world) or [])
        explorer.Exploration(manifests.load(REFERENCE), None, budget=8, seconds=60, seed=seed,
                             say=lambda text: None).run()
        return seen
    first = worlds(7)
    assert len(first) >= 3 and first == worlds(7)
    assert worlds(8) != first


def test_generated_world_keeps_the_kit_customers_and_changes_bright_shop_only():
    world = {"locations": 401, "reviews": [{"stars": 2, "text": "Loved it 😍", "reported": True}]}
    data = explorer.scenario(world)
    bright = next(u for u in data["businessUnits"] if u["domain"] == "bright-shop.example")
    assert bright["locations"] == {"generate": 401}
    assert [(r["text"], r["report"]) for r in bright["reviews"]] == [("Loved it 😍", {"reason": "offensive"})]
    assert {u["domain"] for u in data["businessUnits"]} >= {"quiet-shop.example", "starry-shop.example"}


def test_generated_faults_land_on_the_use_case_reads_only():
    world = {"locations": 0, "reviews": [], "faults": [{"kind": "429", "retryAfter": 3}, {"kind": "html"}]}
    rules = explorer.scenario(world)["faults"]
    assert [(r["path"], r["times"]) for r in rules] == [("/v1**/business-units/6b1b2c3d4e5f60718293b101/*", 1)] * 2
    assert rules[0]["response"]["headers"] == {"Retry-After": "3"}
    assert rules[1]["response"]["contentType"] == "text/html"


def test_replay_of_a_file_that_is_not_one_says_so(tmp_path, capsys):
    path = tmp_path / "r.yaml"
    path.write_text("checks: [usecase.ingestion]\n")
    assert cli.main(["replay", str(path)]) == cli.EXIT_CANNOT_RUN
    assert capsys.readouterr().err.strip() == (f"trustpilot-conformance: {path}: not a replay file (it needs "
                                               "'replay: 1')")


def _generated(monkeypatch, budget, seed=0):
    seen = []
    monkeypatch.setattr(explorer, "judge", lambda manifest, emulator, checks, world: seen.append(world) or [])
    explorer.Exploration(manifests.load(REFERENCE), None, budget=budget, seconds=60, seed=seed,
                         say=lambda text: None).run()
    return seen


def test_generated_schedules_cover_every_fault_kind_and_the_clock_and_stay_survivable(monkeypatch):
    worlds = _generated(monkeypatch, 300)
    faults = [fault for world in worlds for fault in world["faults"]]
    assert {f["kind"] for f in faults} == {"429", "5xx", "html", "latency", "drop"}
    assert max(f["retryAfter"] for f in faults if f["kind"] == "429") > 20  # past the old 10 s cap
    assert {f["body"] for f in faults if f["kind"] == "5xx"} == {"json", "html"}
    assert {f["times"] for f in faults if f["kind"] in ("5xx", "drop")} == {1, 2}
    assert all(sum(explorer.failures_in_a_row(f) for f in world["faults"]) <= 2 for world in worlds)
    jumps = [world["clock"] for world in worlds if world["clock"]]
    assert jumps and all(100 <= jump["hours"] <= 200 for jump in jumps)
    assert {jump["beforeTrigger"] for jump in jumps} == set(range(explorer.TRIGGERS_PER_CHECK))


def test_a_schedule_gives_the_triggers_its_waits_and_moves_the_clock_before_its_trigger():
    world = {"locations": 0, "reviews": [], "clock": {"hours": 120, "beforeTrigger": 1},
             "faults": [{"kind": "429", "retryAfter": 30}, {"kind": "latency", "ms": 500}]}
    schedule = explorer.Schedule(world)
    assert schedule.grace_seconds == 31.5

    class Sandbox:
        moved = []

        def advance_clock(self, hours):
            self.moved.append(hours)

    class Context:
        sandbox, notes = Sandbox(), []
        note = notes.append

    ctx = Context()
    schedule.before_trigger(ctx, "onboard", None)
    assert Sandbox.moved == []
    schedule.before_trigger(ctx, "ingestion", None)
    schedule.before_trigger(ctx, "results", None)
    assert Sandbox.moved == [120]
    assert ctx.notes == ["explorer: the sandbox clock moved 120 hours forward before the ingestion trigger "
                         "(every access token expired)"]


def test_a_5xx_burst_with_the_html_page_and_repeated_drops_become_fault_rules():
    world = {"locations": 0, "reviews": [], "faults": [{"kind": "5xx", "status": 502, "times": 2, "body": "html"},
                                                       {"kind": "drop", "times": 2}]}
    burst, drop = explorer.scenario(world)["faults"]
    assert (burst["response"]["status"], burst["response"]["contentType"], burst["times"]) == (502, "text/html", 2)
    assert "<title>502 Bad Gateway</title>" in burst["response"]["body"]
    assert (drop["drop"], drop["times"]) == (True, 2)


def test_shrinking_keeps_only_what_the_failure_needs():
    review = {"stars": 4, "text": explorer.long_text(4000), "reported": True}
    world = {"locations": 401, "faults": [{"kind": "429", "retryAfter": 30}, {"kind": "drop", "times": 2}],
             "clock": {"hours": 180, "beforeTrigger": 3},
             "reviews": [{"stars": 5, "text": explorer.EMOJI, "reported": False}, review,
                         {"stars": 2, "text": explorer.COMBINING, "reported": True}]}
    exploration = explorer.Exploration(manifests.load(REFERENCE), None, say=lambda text: None)
    needs = lambda w: any(len(r["text"]) > 1000 for r in w["reviews"]) and w["locations"] >= 200  # noqa: E731
    judged = []
    exploration._fails = lambda w: judged.append(w) or needs(w)
    assert exploration.shrink(world) == {"locations": 200, "faults": [], "clock": None, "reviews": [
        {"stars": 1, "text": explorer.long_text(1001), "reported": False}]}
    assert len({explorer._key(w) for w in judged}) <= 45  # worlds judged (explore judges each once)
