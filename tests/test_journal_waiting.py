"""The journal's waiting entries (state/waiting.py): appended by every worker to a file beside the
state, moved into the journal table in order, and never half an entry."""

import os

from mock_server.state.waiting import WaitingFile, WaitingList


def test_waiting_file_gives_whole_lines_in_order_and_empties(tmp_path):
    waiting = WaitingFile(str(tmp_path / "state.db-requests"))
    assert not waiting.maybe_waiting()
    sizes = [waiting.append(f'{{"n":{n}}}') for n in range(3)]
    assert sizes == [8, 16, 24]  # the bytes waiting after each append
    assert waiting.maybe_waiting()
    assert waiting.take_all() == ['{"n":0}', '{"n":1}', '{"n":2}']
    assert waiting.take_all() == [] and not waiting.maybe_waiting()


def test_a_line_cut_short_is_no_entry(tmp_path):
    path = tmp_path / "state.db-requests"
    waiting = WaitingFile(str(path))
    waiting.append('{"n":1}')
    with open(path, "ab") as file:  # a write that stopped half-way (a full disk)
        file.write(b'{"n":')
    assert waiting.take_all() == ['{"n":1}']


def test_appends_from_two_processes_are_all_kept_whole(tmp_path):
    waiting = WaitingFile(str(tmp_path / "state.db-requests"))
    waiting.append('{"from":"parent","n":-1}')  # the parent opened the file before forking
    child = os.fork()
    if child == 0:  # the child appends through its own descriptor (an inherited one shares the flock)
        for n in range(200):
            waiting.append(f'{{"from":"child","n":{n}}}')
        os._exit(0)
    for n in range(200):
        waiting.append(f'{{"from":"parent","n":{n}}}')
    _, status = os.waitpid(child, 0)
    assert status == 0
    lines = waiting.take_all()
    assert len(lines) == 401
    for origin in ("parent", "child"):  # each process's entries whole and in its own order
        numbers = [int(line.split('"n":')[1].rstrip("}")) for line in lines if f'"{origin}"' in line]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_waiting_list_counts_bytes_and_empties():
    waiting = WaitingList()
    assert waiting.append("abc") == 4 and waiting.append("de") == 7
    assert waiting.take_all() == ["abc", "de"] and not waiting.maybe_waiting()
