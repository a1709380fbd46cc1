"""Rows added without a write transaction (state/store.py: add_row), as every e-mail invitation
and invitation link is: on disk in the state's waiting-rows file before the answer, seen by every
connection's next statement, moved into their table in batches, put back when a move fails, and
kept across a killed server."""

import json
import os
import signal
import sqlite3

import pytest
import requests

from conftest import start_server, stop_server
from helpers import DEMO_BU, customer_headers, http_customer_headers
from mock_server import create_app, scenario
from mock_server.state import store as store_module
from mock_server.state.store import ROWS_BATCH_BYTES, ROWS_SUFFIX, Store

INVITE = f"/v1/private/business-units/{DEMO_BU}/email-invitations"
BODY = {"consumerEmail": "john.doe@example.com", "consumerName": "John Doe", "referenceNumber": "inv-1",
        "serviceReviewInvitation": {"redirectUri": "https://www.trustpilotdemo.com/thanks"}}


def in_table(path):
    """The invitations in the table itself, read by a plain SQLite connection (no waiting rows)."""
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT reference_number FROM invitations ORDER BY seq")]


def waiting_lines(path):
    with open(path + ROWS_SUFFIX, encoding="utf-8") as file:
        return file.read().splitlines()


@pytest.fixture
def served_file(tmp_path):
    """An app on a state file, its client with the demo admin's headers, and the file's path."""
    path = str(tmp_path / "state.db")
    app = create_app({"SCENARIO": scenario.load_file(scenario.DEFAULT_SCENARIO), "STATE_PATH": path,
                      "FRESH_STATE": True})
    client = app.test_client()
    return app, client, customer_headers(client), path


def test_an_invitation_waits_on_disk_and_any_connections_next_read_moves_it_in(served_file):
    _, client, headers, path = served_file
    assert client.post(INVITE, json=BODY, headers=headers).status_code == 202
    assert in_table(path) == []
    assert len(waiting_lines(path)) == 1  # on disk before the answer

    other = Store(path)  # another worker's connection to the same file
    with other.read() as db:
        assert [row[0] for row in db.execute("SELECT reference_number FROM invitations")] == ["inv-1"]
    assert in_table(path) == ["inv-1"] and waiting_lines(path) == []

    listed = client.get("/_mock/invitations").get_json()["invitations"]
    assert [i["referenceNumber"] for i in listed] == ["inv-1"]


def test_rows_move_in_batches_without_any_read_and_keep_their_order(served_file):
    _, client, headers, path = served_file
    line_bytes = None
    sent = 0
    while True:
        sent += 1
        response = client.post(INVITE, json={**BODY, "referenceNumber": f"inv-{sent}"}, headers=headers)
        assert response.status_code == 202, response.get_data(as_text=True)
        if in_table(path):
            break
        line_bytes = line_bytes or os.path.getsize(path + ROWS_SUFFIX)
        assert sent * line_bytes < 2 * ROWS_BATCH_BYTES, "the rows should have been moved in by now"
    assert in_table(path) == [f"inv-{n}" for n in range(1, sent + 1)] and waiting_lines(path) == []
    assert sent * line_bytes >= ROWS_BATCH_BYTES  # no earlier: a batch is what each move takes


def test_a_reset_takes_the_waiting_rows_with_the_world(served_file):
    _, client, headers, path = served_file
    assert client.post(INVITE, json=BODY, headers=headers).status_code == 202
    assert client.post("/_mock/reset").status_code == 200
    assert client.get("/_mock/invitations").get_json()["invitations"] == []
    assert in_table(path) == [] and waiting_lines(path) == []


def test_a_review_can_be_written_from_an_invitation_still_waiting(served_file):
    _, client, headers, path = served_file
    assert client.post(INVITE, json=BODY, headers=headers).status_code == 202
    invitation_id = json.loads(waiting_lines(path)[0])[2][0]  # the row's values: its id first
    written = client.post(f"/_mock/business-units/{DEMO_BU}/reviews", json={"stars": 5, "invitationId": invitation_id})
    assert written.status_code == 201, written.get_data(as_text=True)
    [invitation] = client.get("/_mock/invitations").get_json()["invitations"]
    assert (invitation["id"], invitation["status"]) == (invitation_id, "reviewed")


def test_a_failed_move_puts_the_rows_back_and_the_next_one_moves_them(served_file, monkeypatch):
    _, client, headers, path = served_file
    assert client.post(INVITE, json=BODY, headers=headers).status_code == 202
    real = store_module._executemany

    def full_disk(db, sql, rows):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module, "_executemany", full_disk)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        with Store(path).read():
            pass
    assert len(waiting_lines(path)) == 1 and in_table(path) == []

    monkeypatch.setattr(store_module, "_executemany", real)
    assert [i["referenceNumber"] for i in client.get("/_mock/invitations").get_json()["invitations"]] == ["inv-1"]
    assert in_table(path) == ["inv-1"]


def test_rows_left_by_a_server_killed_before_it_raised_the_flag_are_moved_in_at_open(served_file):
    _, client, headers, path = served_file
    assert client.post(INVITE, json=BODY, headers=headers).status_code == 202
    line = waiting_lines(path)[0]
    with Store(path).read() as db:
        db.execute("SELECT 1").fetchone()  # moved in: the table has it, the flag is down
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM invitations")
    with open(path + ROWS_SUFFIX, "a", encoding="utf-8") as file:  # appended, then killed before the flag
        file.write(line + "\n")
    with Store(path).read() as db:
        assert [row[0] for row in db.execute("SELECT reference_number FROM invitations")] == ["inv-1"]


def test_a_damaged_line_is_skipped_and_the_others_are_moved(served_file):
    _, client, headers, path = served_file
    with open(path + ROWS_SUFFIX, "a", encoding="utf-8") as file:
        file.write('["invitations; DROP TABLE journal",["id"],["x"]]\n')  # names nothing we would write
        file.write("not json\n")
    assert client.post(INVITE, json=BODY, headers=headers).status_code == 202
    assert [i["referenceNumber"] for i in client.get("/_mock/invitations").get_json()["invitations"]] == ["inv-1"]
    with sqlite3.connect(path) as db:  # the line naming another statement ran nothing
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'journal'").fetchone() == ("journal",)


def _kill_server_tree(proc):
    """kill -9 the master and each worker, workers first (no worker outlives its master here)."""
    children = open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()
    for pid in [*map(int, children), proc.pid]:
        os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


def test_an_invitation_answered_202_survives_kill_9_of_every_process(tmp_path):
    state = str(tmp_path / "state.db")
    proc, base = start_server("--state", state, "--workers", "2")
    try:
        headers = http_customer_headers(base)
        answers = [requests.post(base + INVITE, json={**BODY, "referenceNumber": f"kill-{n}"}, headers=headers,
                                 timeout=10) for n in range(5)]
        assert [a.status_code for a in answers] == [202] * 5
    finally:
        _kill_server_tree(proc)
    proc, base = start_server("--state", state)
    try:
        listed = requests.get(base + "/_mock/invitations", timeout=10).json()["invitations"]
        assert [i["referenceNumber"] for i in listed] == [f"kill-{n}" for n in range(5)]
    finally:
        stop_server(proc)
