"""The store's per-connection cache (state/store.py): values read once per connection are never
stale. Two Sandbox objects on one state file stand for two gunicorn workers; each has its own
connection, so each sees the other's commits only through SQLite's data_version."""

import pytest

from mock_server import scenario
from mock_server.state.access import Credentials
from mock_server.state.faults import RequestFacts
from mock_server.state.sandbox import Sandbox
from mock_server.state.store import Store

UNIT_PATH = "/v1/business-units/507f191e810c19729de860ea"
FACTS = RequestFacts("GET", UNIT_PATH, Credentials(apikey="demo-partner-key"))
DOWN = {"id": "down", "path": "/v1/business-units/*", "response": {"preset": "serviceUnavailable"}}


@pytest.fixture
def two_workers(tmp_path):
    path = str(tmp_path / "state.db")
    first = Sandbox("default", Store(path), scenario.load_file(scenario.DEFAULT_SCENARIO))
    return first, Sandbox("default", Store(path))


def test_update_sandbox_settings_seen_by_another_connection(two_workers):
    first, second = two_workers
    assert second.get_request_validation_mode() == "lenient"  # cached by the second connection now
    first.update_sandbox_settings({"requestValidation": "strict"})
    assert second.get_request_validation_mode() == "strict"


def test_create_fault_rule_seen_by_another_connection(two_workers):
    first, second = two_workers
    assert second.fault_for(FACTS) is None  # "no active rule" cached by the second connection now
    first.create_fault_rule(DOWN)
    assert second.fault_for(FACTS).rule == "down"


def test_clear_fault_rules_then_none_fires(two_workers):
    first, second = two_workers
    first.create_fault_rule(DOWN)
    assert first.fault_for(FACTS).rule == "down"
    second.clear_fault_rules()
    assert first.fault_for(FACTS) is None


def test_fault_rule_that_ran_out_stops_firing(two_workers):
    first, _ = two_workers
    first.create_fault_rule({"id": "once", "path": "/v1/business-units/*", "times": 1,
                             "response": {"preset": "serviceUnavailable"}})
    assert first.fault_for(FACTS).rule == "once"
    assert first.fault_for(FACTS) is None


def test_rolled_back_set_meta_is_not_seen():
    sandbox = Sandbox("default", Store(), scenario.load_file(scenario.DEFAULT_SCENARIO))
    with pytest.raises(RuntimeError):
        with sandbox.store.transaction() as db:
            sandbox.store.set_meta(db, "settings", {"requestValidation": "off"})
            assert sandbox.settings(db)["requestValidation"] == "off"  # read back inside: cached again
            raise RuntimeError("roll back")
    assert sandbox.get_request_validation_mode() == "lenient"
