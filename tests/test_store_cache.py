"""The store's per-connection cache (state/store.py): values read once per connection are never
stale. Two Sandbox objects on one state file stand for two `serve` workers; each has its own
connection, so each learns of the other's commits only through the change counters
(state/change_stamps.py)."""

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
    assert second.settings.get_request_validation_mode() == "lenient"  # cached by the second connection now
    first.settings.update_sandbox_settings({"requestValidation": "strict"})
    assert second.settings.get_request_validation_mode() == "strict"


def test_create_fault_rule_seen_by_another_connection(two_workers):
    first, second = two_workers
    assert second.faults.fault_for(FACTS) is None  # "no active rule" cached by the second connection now
    first.faults.create_fault_rule(DOWN)
    assert second.faults.fault_for(FACTS).rule == "down"


def test_clear_fault_rules_then_none_fires(two_workers):
    first, second = two_workers
    first.faults.create_fault_rule(DOWN)
    assert first.faults.fault_for(FACTS).rule == "down"
    second.faults.clear_fault_rules()
    assert first.faults.fault_for(FACTS) is None


def test_fault_rule_that_ran_out_stops_firing(two_workers):
    first, _ = two_workers
    first.faults.create_fault_rule({"id": "once", "path": "/v1/business-units/*", "times": 1,
                             "response": {"preset": "serviceUnavailable"}})
    assert first.faults.fault_for(FACTS).rule == "once"
    assert first.faults.fault_for(FACTS) is None


def test_rolled_back_set_meta_is_not_seen():
    sandbox = Sandbox("default", Store(), scenario.load_file(scenario.DEFAULT_SCENARIO))
    with pytest.raises(RuntimeError):
        with sandbox.store.transaction() as db:
            sandbox.store.set_meta(db, "settings", {"requestValidation": "off"})
            assert sandbox.settings.current(db)["requestValidation"] == "off"  # read back inside: cached again
            raise RuntimeError("roll back")
    assert sandbox.settings.get_request_validation_mode() == "lenient"


def test_any_write_to_a_row_a_cached_value_was_read_from_drops_it():
    """No writer forgets anything by hand: the triggers on the watched tables do it."""
    sandbox = Sandbox("default", Store(), scenario.load_file(scenario.DEFAULT_SCENARIO))
    unit_id, creds = "507f191e810c19729de860ea", Credentials(apikey="demo-partner-key")
    before = sandbox.business_units.get_business_unit(creds, unit_id, "")  # cached now
    with sandbox.store.transaction() as db:
        db.execute("UPDATE business_units SET display_name = 'Renamed' WHERE id = ?", (unit_id,))
    renamed = sandbox.business_units.get_business_unit(creds, unit_id, "")
    with sandbox.store.transaction() as db:
        db.execute("UPDATE review_counts SET count = count + 7 WHERE business_unit_id = ? AND stars = 5", (unit_id,))
    counted = sandbox.business_units.get_business_unit(creds, unit_id, "")
    assert before["displayName"] != "Renamed" and renamed["displayName"] == "Renamed"
    assert counted["numberOfReviews"]["total"] == before["numberOfReviews"]["total"] + 7


def test_a_value_cached_from_an_unwatched_table_is_refused():
    store = Store()
    with store.read() as db:
        with pytest.raises(ValueError, match="depends on 'reviews', which no trigger watches"):
            store.cached(db, "reviews of a unit", (("reviews", "x"),), lambda db: 1)


# -- a page of reviews kept until anything is written (Store.cached_until_write) ------------------
DEMO_BU = "507f191e810c19729de860ea"
APIKEY = Credentials(apikey="demo-partner-key")


def first_review_title(sandbox):
    from mock_server.state.reviews.query import ReviewFilter

    page = sandbox.reviews.list_business_unit_reviews(APIKEY, ReviewFilter(unit_id=DEMO_BU), "createdat.desc",
                                                      1, 20, "http://sandbox.test")
    return page.items[0]["id"], page.items[0]["title"]


def retitle(sandbox, review_id, title):
    with sandbox.store.transaction() as db:
        db.execute("UPDATE reviews SET title = ? WHERE id = ?", (title, review_id))


@pytest.mark.parametrize("path", [None, "file"])
def test_a_page_of_reviews_is_read_again_after_a_write_through_the_same_connection(path, tmp_path):
    store = Store(str(tmp_path / "state.db") if path else None)
    sandbox = Sandbox("default", store, scenario.load_file(scenario.DEFAULT_SCENARIO))
    review_id, title = first_review_title(sandbox)
    assert first_review_title(sandbox) == (review_id, title)  # the kept page
    retitle(sandbox, review_id, "Changed through this connection")
    assert first_review_title(sandbox) == (review_id, "Changed through this connection")


def test_a_page_of_reviews_is_read_again_after_another_connections_write(two_workers):
    first, second = two_workers
    review_id, _ = first_review_title(second)  # kept by the second connection now
    retitle(first, review_id, "Changed by the other worker")
    assert first_review_title(second) == (review_id, "Changed by the other worker")


# -- one snapshot per request (store.request_snapshot) --------------------------------------------
def test_a_requests_reads_share_one_snapshot_until_it_writes(two_workers):
    from mock_server.state.store import request_snapshot

    first, second = two_workers
    with request_snapshot():
        assert second.settings.get_request_validation_mode() == "lenient"
        first.settings.update_sandbox_settings({"requestValidation": "strict"})
        assert second.settings.get_request_validation_mode() == "lenient"  # the request's own snapshot
        with second.store.transaction():
            pass  # a write ends the snapshot: what follows sees the latest state
        assert second.settings.get_request_validation_mode() == "strict"
    first.settings.update_sandbox_settings({"requestValidation": "off"})
    assert second.settings.get_request_validation_mode() == "off"  # outside a request: a snapshot per read


# -- change counters (state/change_stamps.py): what another connection's commit drops --------------
def statements_run(sandbox, action):
    """The SQL statements ``action()`` runs on the sandbox's connection, inside one request."""
    from mock_server.state.store import request_snapshot

    seen = []
    sandbox.store.connection().set_trace_callback(seen.append)
    try:
        with request_snapshot():
            action()
    finally:
        sandbox.store.connection().set_trace_callback(None)
    return seen


def find_unit(sandbox):
    return sandbox.business_units.find_business_unit(APIKEY, "trustpilotdemo.com", "http://sandbox.test")


def test_a_request_whose_reads_are_all_cached_runs_no_statement(two_workers):
    _, second = two_workers
    def request():
        return find_unit(second), second.faults.fault_for(FACTS)

    first_time = statements_run(second, request)
    assert first_time[0] == "BEGIN" and first_time[-1] == "COMMIT"
    assert statements_run(second, request) == []


def test_another_workers_journal_move_keeps_this_workers_cache(two_workers):
    first, second = two_workers
    find_unit(second)
    first.journal.record_request({"method": "GET", "path": "/x", "query": [], "status": 200,
                                  "credentials": APIKEY, "pid": 1})
    first.journal.write_waiting()  # a commit to the journal table
    assert first.journal.list_journal()["entries"][-1]["path"] == "/x"
    assert statements_run(second, lambda: find_unit(second)) == []


def test_a_write_to_one_table_drops_only_what_was_read_from_it(two_workers):
    first, second = two_workers
    find_unit(second)
    second.settings.get_request_validation_mode()
    with first.store.transaction() as db:
        db.execute("UPDATE business_units SET display_name = 'Renamed' WHERE id = ?", (DEMO_BU,))
    rereads = statements_run(second, lambda: (second.settings.get_request_validation_mode(), find_unit(second)))
    assert [sql for sql in rereads if "FROM meta" in sql] == []  # the settings stayed cached
    assert any("FROM business_units" in sql for sql in rereads)
    assert find_unit(second)["displayName"] == "Renamed"


def test_a_write_made_inside_a_read_is_still_seen_by_another_worker(two_workers):
    first, second = two_workers
    assert find_unit(second)["displayName"] != "Renamed by a reader"
    with first.store.read() as db:  # no code should write here; if it does, no cache goes stale
        db.execute("UPDATE business_units SET display_name = 'Renamed by a reader' WHERE id = ?", (DEMO_BU,))
    assert find_unit(second)["displayName"] == "Renamed by a reader"
