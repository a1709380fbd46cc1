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
    def __init__(self, path):
        self.path = path
        self._pid = None  # the file is opened per process: an inherited descriptor shares its flock

    def _open(self):
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
            self._lock = threading.Lock()
            self._appended = 0  # bytes this process appended since it last emptied the file
            self._pid = os.getpid()
        return self._fd

    def append(self, line):
        """Shared lock: appends of every process go at once (an O_APPEND write of a line lands
        whole, after the others); only take_all excludes them."""
        fd = self._open()
        data = line.encode() + b"\n"
        with self._lock:
            fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                os.write(fd, data)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
            self._appended += len(data)
            return self._appended

    def take_all(self):
        fd = self._open()
        with self._lock:
            self._appended = 0
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                data = os.pread(fd, os.fstat(fd).st_size, 0)
                os.ftruncate(fd, 0)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        # Only whole lines: a line cut short (a disk that filled up mid-write) is no entry.
        lines = data.split(b"\n")
        return [line.decode() for line in lines[:-1] if line]

    def maybe_waiting(self):
        try:
            return os.fstat(self._open()).st_size > 0
        except FileNotFoundError:
            return False
