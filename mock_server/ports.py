"""The serving port, bound before anything is printed or loaded: a port that cannot be had is
one clear message (the port, the process holding it when this machine can tell, and what to do),
not a banner followed by the server's own retries."""

import errno
import os
import socket


class PortUnavailable(Exception):
    """The address or port cannot be listened on; the message says why and what to do."""


def reserve(host, port):
    """A TCP socket bound to host:port (port 0: a free port chosen by the system), never
    listening: until the server's workers listen, connections are refused as before a start, so
    a caller polling for readiness never reaches a server still loading its world.

    It is bound with SO_REUSEPORT, as each worker binds its own socket (the kernel spreads new
    connections over them; one shared socket let one worker take all of a client's keep-alive
    connections). SO_REUSEPORT would let a second server of the same user bind the port too,
    so a port someone already listens on is refused here, as a plain bind would."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise PortUnavailable(f"cannot listen on {host}:{port}: {host!r} is not a known host name ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restarts need no wait
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
        if port and _listening_inodes(port):  # this socket never listens: someone else does
            raise OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))
    except OSError as exc:
        sock.close()
        raise PortUnavailable(_explain(host, port, exc)) from None
    return sock


def _explain(host, port, exc):
    where = f"cannot listen on {host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        holder = holder_of(port)
        by = f" by {holder}" if holder else " by another program"
        return (f"{where}: the port is already in use{by}. Stop it, choose another port with --port, "
                "or pass --port 0 to let the system pick a free one (the port chosen is printed).")
    if exc.errno == errno.EACCES:
        return f"{where}: permission denied (ports below 1024 need privileges); choose --port 8080, or --port 0 for any free port."
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{where}: {host} is not an address of this machine; use --host 127.0.0.1 (loopback) or 0.0.0.0 (every interface)."
    return f"{where}: {exc.strerror or exc}"


def holder_of(port):
    """'pid N (command line)' of a process listening on the TCP port, read from /proc; None when
    this machine does not say (not Linux, or the process belongs to another user)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for pid in filter(str.isdigit, _listdir("/proc")):
        for fd in _listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return f"pid {pid} ({_command_line(pid)})"
    return None


def _listening_inodes(port):
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as rows:
                next(rows, None)  # the header
                for row in rows:
                    fields = row.split()
                    # local address is HEXIP:HEXPORT; state 0A is LISTEN
                    if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
        except OSError:
            continue
    return inodes


def _listdir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


def _command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as raw:
            words = raw.read().rstrip(b"\0").split(b"\0")
    except OSError:
        return "?"
    text = " ".join(word.decode(errors="replace") for word in words)
    return text if len(text) <= 120 else text[:117] + "..."
