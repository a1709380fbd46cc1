"""A sandbox's journal entries waiting to be moved into its journal table (journal.py).

For a file store, the waiting entries are lines of a file beside the database (``<db>-requests``)
that every worker process appends to: an append is one write() under a lock (this process's
threads, then ``flock`` across processes), so it is on disk and in order the moment it returns,
and costs a few microseconds instead of a commit. For a memory store, a list in this process.

Both give the same three operations: ``append(line)`` returns the bytes waiting (for a file,
those this process appended since it last emptied it: each worker moves its own share),
``take_all()`` returns the waiting lines and empties the list, ``maybe_waiting()`` is a cheap
check that may say True when another process just emptied it.
"""

import fcntl
import os
import threading

from . import this_process
from .locked_file import LockedFile

SUFFIX = "-requests"


def waiting_list(store):
    return WaitingList() if store.path is None else WaitingFile(store.path + SUFFIX)


class WaitingList:
    def __init__(self):
        self._lines = []
        self._bytes = 0
        self._lock = threading.Lock()

    def append(self, line):
        with self._lock:
            self._lines.append(line)
            self._bytes += len(line) + 1
            return self._bytes

    def take_all(self):
        with self._lock:
            lines, self._lines, self._bytes = self._lines, [], 0
            return lines

    def maybe_waiting(self):
        return bool(self._lines)


class WaitingFile:
    def __init__(self, path, mark=None):
        """``mark(waiting)``: told True by each append, under the shared lock, and False by each
        take_all, under the exclusive lock (the store's rows-waiting flag, change_stamps.py)."""
        self.path = path
        self._file = LockedFile(path, os.O_APPEND)
        self._mark = mark
        self._appended = (None, 0)  # (pid, bytes that process appended since it last emptied the file)

    def append(self, line):
        """Shared lock: appends of every process go at once (an O_APPEND write of a line lands
        whole, after the others); only take_all excludes them."""
        data = line.encode() + b"\n"
        fd = self._file.acquire(fcntl.LOCK_SH)
        try:
            os.write(fd, data)
            if self._mark is not None:
                self._mark(True)
            pid, appended = self._appended
            appended = (appended if pid == this_process.pid else 0) + len(data)
            self._appended = (this_process.pid, appended)
        finally:
            self._file.release()
        return appended

    def take_all(self):
        fd = self._file.acquire(fcntl.LOCK_EX)
        try:
            self._appended = (this_process.pid, 0)
            data = os.pread(fd, os.fstat(fd).st_size, 0)
            os.ftruncate(fd, 0)
            if self._mark is not None:
                self._mark(False)
        finally:
            self._file.release()
        # Only whole lines: a line cut short (a disk that filled up mid-write) is no entry.
        lines = data.split(b"\n")
        return [line.decode() for line in lines[:-1] if line]

    def maybe_waiting(self):
        try:
            return os.fstat(self._file.fd()).st_size > 0
        except FileNotFoundError:
            return False
