"""Ids minted while serving (state/ids.py): unguessable, each handed out once, and never the
same in two worker processes forked from one master."""

import os
import re
import threading

from mock_server.state.ids import _OsRandom

HEX_ID = re.compile(r"[0-9a-f]{24}")


def test_ids_are_24_hex_digits_and_none_repeats_across_refills():
    source = _OsRandom()
    minted = [source.hex(12) for _ in range(3 * _OsRandom.SIZE // 12)]  # three buffers' worth
    assert all(HEX_ID.fullmatch(value) for value in minted)
    assert len(set(minted)) == len(minted)


def test_threads_never_get_the_same_bytes():
    source = _OsRandom()
    minted, lock = [], threading.Lock()

    def mint():
        mine = [source.hex(12) for _ in range(2000)]
        with lock:
            minted.extend(mine)

    threads = [threading.Thread(target=mint) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(minted) == 8000 and len(set(minted)) == 8000


def test_a_forked_worker_mints_other_ids_than_its_master():
    source = _OsRandom()
    source.hex(12)  # the master has a buffer of bytes not handed out yet
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        os.write(write, " ".join(source.hex(12) for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    in_child = b""
    while chunk := os.read(read, 65536):
        in_child += chunk
    os.close(read)
    assert os.waitpid(child, 0)[1] == 0
    in_master = {source.hex(12) for _ in range(50)}
    in_child = set(in_child.decode().split())
    assert len(in_child) == 50 and not in_master & in_child
