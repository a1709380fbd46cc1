"""Versioned state files (state/store.py): every file carries its schema version, a file of an
older release is migrated when opened, one of a newer release is refused at start, untouched."""

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from helpers import PARTNER_ID
from mock_server import create_app, scenario
from mock_server.state import store as store_module
from mock_server.state.sandbox import Sandbox
from mock_server.state.store import SCHEMA_VERSION, Store, UnsupportedStateFile

DATA = Path(__file__).parent / "data"
UNIT = "507f191e810c19729de860ea"


def user_version(path):
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


@pytest.fixture
def kept_file(tmp_path):
    """A copy of a state file written by the release before versioning (tests/data/state-v0.json
    says what it holds): the default world, a customer key, a fault rule, the clock moved 2 h."""
    path = tmp_path / "state.db"
    shutil.copyfile(DATA / "state-v0.db", path)
    return str(path), json.loads((DATA / "state-v0.json").read_text())


def test_state_file_of_the_release_before_versions_is_migrated_and_keeps_its_world(kept_file):
    path, held = kept_file
    assert user_version(path) == 0
    app = create_app({"SCENARIO": scenario.load_file(scenario.DEFAULT_SCENARIO), "STATE_PATH": path})
    assert app.extensions["sandboxes"].get("default").installed is False  # resumed, not reloaded
    assert user_version(path) == SCHEMA_VERSION
    client = app.test_client()
    customer = {"apikey": held["customerKey"], "x-partner-id": PARTNER_ID}  # the key minted before the upgrade
    unit = client.get(f"/v1/business-units/{UNIT}", headers=customer)
    assert unit.status_code == 200, unit.get_json()
    assert unit.get_json()["id"] == UNIT
    assert [rule["id"] for rule in client.get("/_mock/faults").get_json()["rules"]] == [held["faultRule"]]
    fired = client.get("/v1/nothing-here/x", headers=customer)
    assert fired.status_code == 503
    offset = Sandbox("default", Store(path)).control.get_clock()["offsetSeconds"]
    assert offset >= held["clockAdvancedHours"] * 3600


def test_new_file_and_memory_store_carry_the_current_version(tmp_path):
    path = str(tmp_path / "new.db")
    Store(path)
    assert user_version(path) == SCHEMA_VERSION
    with Store().read() as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def newer_file(tmp_path):
    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    return path


def test_store_refuses_a_newer_file_naming_its_version_and_leaves_it_unchanged(tmp_path):
    path = newer_file(tmp_path)
    before = path.read_bytes()
    with pytest.raises(UnsupportedStateFile) as refused:
        Store(str(path))
    assert refused.value.found == SCHEMA_VERSION + 3
    assert f"has schema version {SCHEMA_VERSION + 3}" in str(refused.value)
    assert f"reads versions up to {SCHEMA_VERSION}" in str(refused.value)
    assert path.read_bytes() == before


def test_serve_with_a_newer_state_file_exits_2_saying_what_to_do_without_a_traceback(tmp_path):
    path = newer_file(tmp_path)
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--state", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""  # no banner
    assert (f"trustpilot-mock serve: the state file {path} has schema version {SCHEMA_VERSION + 3}, "
            f"but this release of trustpilot-mock reads versions up to {SCHEMA_VERSION}") in result.stderr
    assert "start with another --state file (or move this one aside)" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_serve_with_a_file_that_is_no_database_exits_2_saying_what_to_do_without_a_traceback(tmp_path):
    path = tmp_path / "scenario.yaml"  # a likely slip: the scenario given as --state
    path.write_text("name: shop\nbusinessUnits: []\n" * 200)
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--state", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert (f"trustpilot-mock serve: the state file {path} cannot be read as a sandbox state (file is not a "
            f"database): it is not one, or it was damaged. Move it aside or give --state another path") in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_a_failing_migration_leaves_the_file_at_its_version(tmp_path, monkeypatch):
    path = str(tmp_path / "old.db")
    shutil.copyfile(DATA / "state-v0.db", path)
    monkeypatch.setattr(store_module, "MIGRATIONS", ("CREATE TABLE meta (x)",))  # meta exists: fails
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    assert user_version(path) == 0


def test_named_sandbox_of_a_newer_release_is_a_409_naming_it_not_a_500(tmp_path):
    path = str(tmp_path / "state.db")
    world = scenario.load_file(scenario.DEFAULT_SCENARIO)
    client = create_app({"SCENARIO": world, "STATE_PATH": path}).test_client()
    assert client.post("/_mock/sandboxes", json={"name": "job-7"}).status_code == 201
    with sqlite3.connect(f"{path}.sandboxes/job-7.db") as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    restarted = create_app({"SCENARIO": world, "STATE_PATH": path}).test_client()  # a process that never opened it
    response = restarted.get(f"/_sandbox/job-7/v1/business-units/{UNIT}", headers={"apikey": "x"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["errorCode"] == 1009
    assert f"sandbox 'job-7' cannot be opened: the state file {path}.sandboxes/job-7.db has schema version " \
           f"{SCHEMA_VERSION + 1}" in body["details"]
    assert "DELETE /_mock/sandboxes/job-7" in body["details"]
    assert user_version(f"{path}.sandboxes/job-7.db") == SCHEMA_VERSION + 1  # left as it was
