"""This process's id, kept current across forks. ``os.getpid()`` is a system call each time
(glibc stopped caching it), and one request asked it about nine times: the store, the journal
and the locked files each check they are not using what a parent process opened."""

import os

pid = os.getpid()


def _forked():
    global pid
    pid = os.getpid()


os.register_at_fork(after_in_child=_forked)
