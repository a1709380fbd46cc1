"""The explorer: generated worlds judged by the same checks, a failure shrunk to a minimal world,
and a replay file that reproduces it."""

import yaml

from conformance import cli, explorer, manifest as manifests

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
    assert (document["checks"], document["world"]) == (["usecase.ingestion"], {"locations": 200, "reviews": [], "faults": []})
    assert document["manifest"] == "trustpilot-conformance.yaml"  # relative: both files get committed
    assert cli.main(["replay", str(replay)]) == cli.EXIT_NOT_READY
    assert "fail usecase.ingestion: the integration kept 0 of the 200 locations" in capsys.readouterr().out


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
