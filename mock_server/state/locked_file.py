"""A file beside a state database that the server's processes and threads take turns on: the
journal's waiting entries (waiting.py) and the writers' queue (store.py).

Opened once per process: a descriptor inherited across a fork shares its flock with the parent,
so it would exclude nothing. Threads of one process share the descriptor, and so its flock; a
thread lock orders them first.
"""

import fcntl
import os
import threading

from . import this_process


class LockedFile:
    def __init__(self, path, flags=0):
        """``flags``: added to O_RDWR | O_CREAT (O_APPEND for a file appended to)."""
        self.path = path
        self._flags = flags
        self._pid = None

    def fd(self):
        """This process's descriptor of the file."""
        if self._pid != this_process.pid:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | self._flags, 0o600)
            self._threads = threading.Lock()
            self._pid = this_process.pid
        return self._fd

    def acquire(self, kind=fcntl.LOCK_EX):
        """This thread's turn (``kind``: LOCK_EX, or LOCK_SH beside other processes' LOCK_SH);
        returns the descriptor."""
        fd = self.fd()
        self._threads.acquire()
        try:
            fcntl.flock(fd, kind)
        except BaseException:
            self._threads.release()
            raise
        return fd

    def release(self):
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()
