"""The embedded SQLite store of one sandbox: schema, per-process/per-thread connections, transactions.

A file store is shared by every server worker (WAL mode); a memory store lives in one
process (in-process tests). Connections are opened lazily per (pid, thread) so a store
created in the server's master before forking is safe to use in the workers.

Each connection keeps a cache of values read through it (``Store.cached``: the decoded meta
rows, a few flags every request asks for). Each value declares the rows it was read from
(``depends_on``: table and key, or a whole table); it stays until a write on that connection
touches one of them (temporary triggers on the watched tables tell the cache, so no writer
can forget to), a transaction on that connection rolls back, or, for a file store, another
connection (another worker, another thread) commits a write to that table: the counters of
``change_stamps.py``, read as each snapshot begins, say which tables changed. Values read from
too many rows to name (``cached_until_write``: a page of reviews) are kept until anything in the
world is written. The journal's moves into its table change no counter.

Within a request (``request_snapshot()``, opened and closed by the app), a file store's reads
share one snapshot, begun by the request's first SQL statement: a request whose reads all come
from the cache runs none. A write transaction ends the snapshot first; the next read begins
another. A request's cached values are those of its start; its first statement may see a write
another worker committed since (the two overlapped: that write was not yet answered).

Rows of append-only tables whose inserts are answered often (invitations) may be added with
``Store.add_row`` instead of a write transaction: for a file store the row is appended to a file
beside the database (``<db>-rows``), so it is on disk, and survives a killed server, before the
call returns. Every later statement of any connection sees it: a snapshot or transaction that
finds rows waiting (a flag in the change counters' file) moves them all into their tables first,
in one transaction, and a process moves its rows itself every ROWS_BATCH_BYTES. Why: an INSERT
committed alone cost a write transaction, four b-trees' pages into the WAL and four hand-offs
of the GIL; an append costs one write().

A state file carries its schema version (``PRAGMA user_version``, ``SCHEMA_VERSION``). Opening
a file of an older version migrates it (``MIGRATIONS``) in one transaction; a file of a newer
version is refused (``UnsupportedStateFile``) and left untouched.
"""

import collections
import functools
import itertools
import json
import re
import os
import sqlite3
import threading
from contextlib import contextmanager

from . import this_process
from .change_stamps import SUFFIX as STAMPS_SUFFIX, WORLD, ChangeStamps
from .locked_file import LockedFile
from .waiting import WaitingFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS partners (
    id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applications (
    api_key TEXT PRIMARY KEY, api_secret TEXT NOT NULL, kind TEXT NOT NULL,
    name TEXT NOT NULL, partner_id TEXT, business_unit_id TEXT,
    redirect_uris TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS business_users (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, password TEXT NOT NULL,
    name TEXT NOT NULL, role TEXT NOT NULL, two_factor INTEGER NOT NULL,
    partner_id TEXT, business_unit_id TEXT);
CREATE TABLE IF NOT EXISTS business_units (
    id TEXT PRIMARY KEY, display_name TEXT NOT NULL, identifying_name TEXT NOT NULL,
    referring_names TEXT NOT NULL, website_url TEXT NOT NULL, country TEXT NOT NULL,
    plan TEXT NOT NULL, partner_permissions INTEGER NOT NULL, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS business_unit_names (
    name TEXT PRIMARY KEY COLLATE NOCASE, business_unit_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS locations (
    business_unit_id TEXT NOT NULL, position INTEGER NOT NULL, id TEXT NOT NULL,
    name TEXT NOT NULL, url_formatted_name TEXT NOT NULL, external_id TEXT,
    address TEXT NOT NULL, PRIMARY KEY (business_unit_id, position)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS locations_by_id ON locations (id);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL, user_id TEXT,
    grant_type TEXT NOT NULL, issued_at REAL NOT NULL, expires_at REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0, pair TEXT);
CREATE TABLE IF NOT EXISTS token_origins (
    token TEXT PRIMARY KEY, origin TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS token_origins_by_origin ON token_origins (origin);
CREATE TABLE IF NOT EXISTS token_requests (
    client_id TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS authorization_codes (
    code TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    user_id TEXT NOT NULL, expires_at REAL NOT NULL, used_at REAL);
CREATE TABLE IF NOT EXISTS sandboxes (
    name TEXT PRIMARY KEY, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
"""

# The schema version this release writes. Changing the schema (a table, a column, an index)
# means: bump it and append to MIGRATIONS the SQL that brings a file of the previous version
# up to it (tables new in the schema need nothing: the schema's CREATE ... IF NOT EXISTS adds
# them after the migrations ran).
SCHEMA_VERSION = 3

# MIGRATIONS[n]: SQL statements taking a file of version n to version n + 1.
MIGRATIONS = (
    # 0 -> 1: files written before state files were versioned (user_version 0) have this
    # release's tables already; a new file is version 0 too. Nothing to change but the version.
    "",
    # 1 -> 2: the consumers table and the reviews_by_consumer index (the Consumer API) come
    # from the schema's CREATE ... IF NOT EXISTS; a file's world keeps consumers known from
    # their reviews (it declared none).
    "",
    # 2 -> 3: the locations_by_id index (a page of reviews names each review's location) comes
    # from the schema's CREATE INDEX IF NOT EXISTS.
    "",
)
assert len(MIGRATIONS) == SCHEMA_VERSION

# The tables whose writes drop cached values, and the column naming the row a value was read
# from (None: values depend on the whole table). A value cached from another table would
# never be dropped: ``Store.cached`` refuses it.
WATCHED = {"meta": "key", "applications": "api_key", "business_units": "id",
           "review_counts": "business_unit_id", "fault_rules": None, "business_unit_names": None,
           "tokens": "token", "business_users": "id", "invitation_templates": "business_unit_id",
           "sandboxes": "name"}


class UnsupportedStateFile(Exception):
    """A state file of a schema version this release cannot read (written by a newer one)."""

    def __init__(self, path, found):
        super().__init__(
            f"the state file {path} has schema version {found}, but this release of trustpilot-mock "
            f"reads versions up to {SCHEMA_VERSION}: it was written by a newer release. Run that "
            f"release (or a newer one) with it, or start with another --state file (or move this "
            f"one aside) to load the scenario afresh; the file was left unchanged.")
        self.path, self.found = path, found


class UnreadableStateFile(UnsupportedStateFile):
    """A state file SQLite cannot read: another kind of file given as --state, or a damaged one
    (the file is written without fsync: a crash of the machine can damage it)."""

    def __init__(self, path, error):
        Exception.__init__(
            self, f"the state file {path} cannot be read as a sandbox state ({error}): it is not one, or it "
                  f"was damaged. Move it aside or give --state another path, and the scenario is loaded "
                  f"afresh; the file was left unchanged.")
        self.path, self.found = path, None


# SQLite's answers for a file that is not a database at all, or a damaged one.
_UNREADABLE = (getattr(sqlite3, "SQLITE_NOTADB", 26), getattr(sqlite3, "SQLITE_CORRUPT", 11))


# Tables that hold the world (everything but meta and the journal); reset clears them.
# Each area module (state/areas.py) adds its own tables to both.
CORE_TABLES = ("partners", "applications", "business_users", "business_units",
               "business_unit_names", "locations", "tokens", "token_origins", "token_requests",
               "authorization_codes")


def world_tables():
    from .areas import AREAS

    return CORE_TABLES + tuple(table for area in AREAS for table in area.TABLES)


def full_schema():
    from .areas import AREAS

    return SCHEMA + "".join(area.SCHEMA for area in AREAS)


class Connection(sqlite3.Connection):
    """A connection with the cache of values read through it (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache = {}
        self.dependents = {}  # (table, row key or None): the cache keys read from it
        self.recent = collections.OrderedDict()  # Store.cached_until_write: key -> (total_changes, value)
        self.stamps = None  # the change counters the cache is current with (file stores)
        self.written = set()  # watched tables written in the open transaction (the triggers say)
        self.pending = None  # the request's snapshot, begun by the first statement

    def execute(self, sql, parameters=()):
        if self.pending is not None:
            self.pending.begin(self)
        return _execute(self, sql, parameters)

    def executemany(self, sql, parameters):
        if self.pending is not None:
            self.pending.begin(self)
        return _executemany(self, sql, parameters)

    def drop_cache(self):
        self.cache.clear()
        self.dependents.clear()
        self.recent.clear()

    def drop_tables(self, tables):
        """Drop the values read from any row of ``tables``."""
        for dependency in [dependency for dependency in self.dependents if dependency[0] in tables]:
            for cache_key in self.dependents.pop(dependency):
                self.cache.pop(cache_key, None)

    def rows_changed_callback(self):
        """What the watch triggers call: drops what was read from the row (or the whole table).
        A closure over the dicts, not a method: the connection holding a function bound to
        itself would be a reference cycle."""
        dependents, cache, written = self.dependents, self.cache, self.written

        def rows_changed(table, key):
            written.add(table)
            for dependency in ((table, key), (table, None)):
                for cache_key in dependents.pop(dependency, ()):
                    cache.pop(cache_key, None)

        return rows_changed


_execute, _executemany = sqlite3.Connection.execute, sqlite3.Connection.executemany
RECENT = 256  # values a connection keeps for Store.cached_until_write
_NOT_CACHED, _MISSING = object(), object()  # not in the cache; no such meta row


class Store:
    """One SQLite database; ``path=None`` means a private in-memory database."""

    def __init__(self, path=None):
        self.path = path
        self._uri = ":memory:" if path is None else f"file:{os.path.abspath(path)}"
        self._local = threading.local()
        # A memory database is one connection, shared by this process's threads under a lock;
        # a file database gets a connection per (process, thread).
        if path is None:
            self._memory = self._open()
            _migrate(self._memory, path)
            _watch(self._memory)
        else:
            self._memory = None
            db = self._open(configure=False)  # a refused file must stay as it is: no WAL switch
            try:
                _migrate(db, path)
            except sqlite3.DatabaseError as exc:
                if getattr(exc, "sqlite_errorcode", None) not in _UNREADABLE:
                    raise
                raise UnreadableStateFile(path, exc) from None
            finally:
                db.close()
        self._lock = threading.RLock() if path is None else _NoLock()
        # Writers of a file queue on a lock of their own (a woken flock) rather than on SQLite's
        # busy handler, which sleeps 1, 2, 5 ... ms between tries: two workers writing at once
        # cost a third of the write throughput and a 40 ms p99 that way.
        self._writer = _NoLock() if path is None else LockedFile(path + WRITER_LOCK_SUFFIX)
        self._memory_read = _MemoryRead(self._lock, self._memory)
        self._stamps = None if path is None else ChangeStamps(path + STAMPS_SUFFIX, tuple(WATCHED))
        self._rows = None if path is None else WaitingFile(path + ROWS_SUFFIX, mark=self._stamps.set_rows_waiting)
        if self._rows is not None and self._rows.maybe_waiting():
            self._stamps.set_rows_waiting(True)  # a server killed between its append and the flag

    def _open(self, configure=True):
        db = sqlite3.connect(self._uri, uri=self.path is not None, timeout=30, isolation_level=None,
                             check_same_thread=False, factory=Connection)
        db.row_factory = sqlite3.Row
        if self.path is not None and configure:
            db.execute("PRAGMA journal_mode=WAL")
            # No fsync: every commit is in the operating system's cache before its answer is sent,
            # so a killed server loses nothing; only a crash of the machine itself could (README,
            # "How it runs"). With fsync at each checkpoint, writes ran 10-20% slower and their
            # p99 was 16-18 ms instead of 10-14 (the checkpoint held the writers' lock).
            db.execute("PRAGMA synchronous=OFF")
        return db

    def connection(self):
        if self._memory is not None:
            return self._memory
        pid = this_process.pid
        if getattr(self._local, "pid", None) != pid:
            self._local.db = _watch(self._open())
            self._local.pid = pid
        return self._local.db

    def close(self):
        """Close this thread's connection (the server's master calls it before forking)."""
        db = getattr(self._local, "db", None)
        if db is not None and self._memory is None:
            db.close()
            self._local.__dict__.clear()

    def transaction(self, world=True):
        """A write transaction (BEGIN IMMEDIATE, so concurrent workers queue instead of deadlocking).
        ``world=False``: it writes only the journal, and leaves every cache as it is."""
        self._end_snapshot()
        if world:
            note_volatile()  # a request that writes is never replayed
        return _Transaction(self, write=True, world=world)

    def add_row(self, table, **values):
        """INSERT one row into ``table`` as if committed now (the module docstring): for a file
        store, appended to the waiting rows; for a memory store, inserted in a transaction. Not
        inside a transaction. A row added is never read back by the same request before it ends
        unless that request runs a statement, which moves it in first, as any other would."""
        note_volatile()
        if self._rows is None:
            with self.transaction() as db:
                insert(db, table, **values)
            return
        self._end_snapshot()
        line = json.dumps([table, list(values), list(values.values())], separators=(",", ":"))
        appended = self._rows.append(line)
        self._stamps.touch_world()  # after the append: a reader that sees the world moved finds the row waiting
        if appended >= ROWS_BATCH_BYTES:
            self._move_rows(self.connection())

    def _rows_waiting(self):
        return self._stamps is not None and self._stamps.rows_waiting()

    def _move_rows(self, db, locked=False):
        """Move every waiting row into its table, in a write transaction of its own (``db`` is in
        none); ``locked``: the caller holds the writer lock."""
        if not locked:
            self._writer.acquire()
        try:
            _execute(db, "BEGIN IMMEDIATE")
            try:
                changes = db.total_changes
                self._take_rows(db)
                _execute(db, "COMMIT")
            except BaseException:
                if db.in_transaction:
                    _execute(db, "ROLLBACK")
                db.written.clear()
                raise
            # Readers saw these rows before (each moves them in before it reads): the world is as it
            # was, and no cache need drop anything unless a watched table took rows.
            self._publish(db, changes, world=False)
        finally:
            if not locked:
                self._writer.release()

    def _take_rows(self, db):
        """Inside a write transaction: the waiting rows, inserted in the order they were added. A
        failed insert puts them back to wait: none is lost."""
        lines = self._rows.take_all()
        if not lines:
            return
        try:
            rows = [row for row in map(_waiting_row, lines) if row is not None]
            for (table, columns), group in itertools.groupby(rows, key=lambda row: row[:2]):
                _executemany(db, _insert_sql(table, columns), [row[2] for row in group])
        except BaseException:
            for line in lines:
                self._rows.append(line)
            raise

    def _end_snapshot(self):
        """A read snapshot cannot become a write: end it, and the write sees the latest state."""
        snapshot = self._local.__dict__.get("snapshot")
        if snapshot is not None:
            snapshot.end()

    @contextmanager
    def bulk_transaction(self):
        """A write transaction for loading a whole world before anyone else has the file open
        (server start): no WAL while writing, which halves the bytes a big world costs; WAL comes
        back afterwards for the workers."""
        if self.path is None:
            with self.transaction() as db:
                yield db
            return
        self._end_snapshot()
        db = self.connection()
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("PRAGMA synchronous=OFF")
        try:
            with self.transaction() as db:
                yield db
        finally:
            db.execute("PRAGMA journal_mode=WAL")

    def read(self):
        """A consistent read snapshot."""
        if self._memory is not None:
            # One connection, and every use of it holds the lock: nothing can write between two
            # statements, so the snapshot needs no BEGIN/COMMIT (two statements saved per read).
            return self._memory_read
        opened = getattr(_request, "snapshots", None)
        if opened is None:
            return _Transaction(self, write=False)
        snapshot = self._local.__dict__.get("snapshot")
        if snapshot is None or snapshot.pid != this_process.pid:
            snapshot = self._local.snapshot = _Snapshot(self)
        snapshot.opened = opened
        return snapshot

    def _catch_up(self, db):
        """Drop what the connection's cache read from tables other connections wrote since its
        last snapshot (the change counters say which). A memory store has one connection."""
        stamps = self._stamps
        if stamps is None:
            return
        now = stamps.read()
        seen = db.stamps
        if now == seen:
            return
        if seen is None:
            db.drop_cache()
        else:
            db.drop_tables(stamps.changed_tables(seen, now))
            if now[WORLD] != seen[WORLD]:
                db.recent.clear()
        db.stamps = now

    def _publish(self, db, changes_before, world):
        """After a COMMIT, with the writer lock held: count what the transaction wrote, so other
        connections drop what they read from it. This connection's triggers already dropped
        exactly what changed here, so its own cache stays current."""
        written, stamps, wrote = db.written, self._stamps, db.total_changes != changes_before
        if stamps is None or not (written or wrote):
            written.clear()
            return
        before, after = stamps.add(written, world and wrote)
        written.clear()
        if db.stamps == before:
            db.stamps = after

    # -- the connection's cache (only inside read() or transaction(), which keep it current)
    @staticmethod
    def cached(db, key, depends_on, load, *args):
        """``load(db, *args)``, remembered on this connection until a write touches what it was
        read from: ``depends_on``, pairs (table of WATCHED, row key or None for the whole table).
        The value is shared by every later caller: treat it as read-only."""
        value = db.cache.get(key, _NOT_CACHED)
        if value is _NOT_CACHED:
            value = load(db, *args)
            _remember(db, key, depends_on, value)
        return value

    @staticmethod
    def cached_until_write(db, key, load, *args):
        """``load(db, *args)``, remembered on this connection until anything is written: by
        another connection (its commit moves the world's change counter) or through this one
        (``total_changes`` moved). For results read from many rows of many tables, a page of
        reviews, where naming each row read is impractical. The newest RECENT are kept."""
        value = Store.kept(db, key)
        if value is None:
            value = load(db, *args)
            Store.keep(db, key, value)
        return value

    @staticmethod
    def kept(db, key):
        """What ``keep`` left under ``key``, if nothing was written since (the rule of
        cached_until_write); else None."""
        hit = db.recent.get(key)
        if hit is not None and hit[0] == db.total_changes:
            db.recent.move_to_end(key)
            return hit[1]
        return None

    @staticmethod
    def keep(db, key, value):
        recent = db.recent
        recent[key] = (db.total_changes, value)
        recent.move_to_end(key)
        if len(recent) > RECENT:
            recent.popitem(last=False)

    @staticmethod
    def cached_row(db, key, depends_on, sql, params):
        """The row ``sql`` finds, remembered like ``cached``; no row is not remembered (a row
        inserted later is found then)."""
        row = db.cache.get(key)
        if row is None:
            row = db.execute(sql, params).fetchone()
            if row is not None:
                _remember(db, key, depends_on, row)
        return row

    @staticmethod
    def forget_all(db):
        db.drop_cache()

    # -- meta key/value (JSON-encoded), read through the cache
    @staticmethod
    def get_meta(db, key, default=None):
        value = Store.cached(db, ("meta", key), (("meta", key),), _read_meta, key)[0]
        return default if value is _MISSING else value

    @staticmethod
    def get_meta_as(db, key, convert):
        """``convert(value)`` (None for no row), worked out once per cached value and forgotten
        with it. The result is shared: read-only."""
        value, converted = Store.cached(db, ("meta", key), (("meta", key),), _read_meta, key)
        if convert not in converted:
            converted[convert] = convert(None if value is _MISSING else value)
        return converted[convert]

    @staticmethod
    def set_meta(db, key, value):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, json.dumps(value)))


# The context managers of read() and transaction() are classes, not @contextmanager generators:
# three or four of them run on every request, and a generator costs about a microsecond more.
class _Transaction:
    """BEGIN IMMEDIATE (``write``) or BEGIN ... COMMIT; a failed write rolls back."""

    __slots__ = ("_store", "_write", "_world", "_db", "_changes")

    def __init__(self, store, write, world=True):
        self._store, self._write, self._world = store, write, world

    def __enter__(self):
        store = self._store
        store._lock.acquire()
        if self._write:
            store._writer.acquire()
        try:
            db = self._db = store.connection()
            if store._rows_waiting():
                # In a transaction of their own: one that rolled back would take them with it.
                store._move_rows(db, locked=self._write)
            db.execute("BEGIN IMMEDIATE" if self._write else "BEGIN")
            store._catch_up(db)  # after BEGIN IMMEDIATE: no writer can commit until this one ends
            db.written.clear()
            self._changes = db.total_changes
        except BaseException:
            self._release()
            raise
        return db

    def __exit__(self, kind, value, traceback):
        db, store = self._db, self._store
        try:
            if kind is None or not self._write:  # a read ends alike either way
                db.execute("COMMIT")
                if self._write:
                    store._publish(db, self._changes, self._world)
                else:
                    _published_by_a_reader(store, db, self._changes)
            else:
                db.execute("ROLLBACK")
                db.written.clear()
                db.drop_cache()  # it may hold values read or forgotten inside the rolled-back writes
        finally:
            self._release()

    def _release(self):
        if self._write:
            self._store._writer.release()
        self._store._lock.release()


def _published_by_a_reader(store, db, changes_before):
    """A read that wrote after all (nothing should): count it as a writer would, so no other
    connection keeps a value it changed."""
    if db.total_changes != changes_before or db.written:
        store._writer.acquire()
        try:
            store._publish(db, changes_before, world=True)
        finally:
            store._writer.release()


# This thread's request: .snapshots, the snapshots it opened; .volatile, note_volatile() was
# called; .valid_until, the earliest note_valid_until.
_request = threading.local()


@contextmanager
def request_snapshot():
    """Reads of file stores inside share one snapshot per store until a write (module docstring)."""
    _request.snapshots = opened = []
    _request.volatile, _request.valid_until = False, None
    try:
        yield
    finally:
        _request.snapshots = None
        for snapshot in opened:
            snapshot.end()


def note_volatile():
    """The current request's answer rests on more than the world and the request itself (it read
    the clock, minted an id) or it wrote: it must never be replayed (web/replay.py)."""
    _request.volatile = True


def note_valid_until(instant):
    """The current request's answer holds until the sandbox clock reaches ``instant`` (epoch
    seconds), no longer: an access token's expiry."""
    until = getattr(_request, "valid_until", None)
    _request.valid_until = instant if until is None else min(until, instant)


def request_was_volatile():
    return getattr(_request, "volatile", True)


def request_valid_until():
    """The earliest note_valid_until of the current request, None for no limit."""
    return getattr(_request, "valid_until", None)


class _Snapshot:
    """read() inside request_snapshot(): the cache brought up to date at the first read, BEGIN
    at the first SQL statement (Connection.execute calls begin()), COMMIT at end()."""

    __slots__ = ("_store", "pid", "opened", "_db", "_changes")

    def __init__(self, store):
        self._store, self.pid, self.opened, self._db, self._changes = store, this_process.pid, None, None, None

    def __enter__(self):
        if self._db is None:
            db = self._store.connection()
            self._store._catch_up(db)
            self._db, self._changes = db, None
            db.pending = self
            self.opened.append(self)
        return self._db

    def begin(self, db):
        db.pending = None
        if self._store._rows_waiting():
            self._store._move_rows(db)
        _execute(db, "BEGIN")
        self._changes = db.total_changes

    def __exit__(self, kind, value, traceback):
        if kind is not None and issubclass(kind, sqlite3.Error):
            self.end()  # the connection's state is unknown: the next read starts afresh

    def end(self):
        db, self._db = self._db, None
        if db is None:
            return
        db.pending = None
        if self._changes is None:
            return  # no statement ran: nothing to end
        try:
            db.execute("COMMIT")
        except sqlite3.Error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.drop_cache()
            return
        _published_by_a_reader(self._store, db, self._changes)


class _MemoryRead:
    """read() of a memory store: its lock held, its one connection."""

    __slots__ = ("_lock", "_db")

    def __init__(self, lock, db):
        self._lock, self._db = lock, db

    def __enter__(self):
        self._lock.acquire()
        return self._db

    def __exit__(self, kind, value, traceback):
        self._lock.release()


WRITER_LOCK_SUFFIX = "-writer"
ROWS_SUFFIX = "-rows"
ROWS_BATCH_BYTES = 64 * 1024  # a process's waiting rows (about a hundred invitations) moved in one transaction
_NAME = re.compile(r"[a-z_]+")


class _NoLock:
    """A file store's lock: none, each thread has a connection of its own."""

    def acquire(self):
        pass

    def release(self):
        pass

    def __enter__(self):
        pass

    def __exit__(self, kind, value, traceback):
        pass


def _read_meta(db, key):
    """(the decoded value, get_meta_as's conversions of it)"""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return _MISSING if row is None else json.loads(row[0]), {}


def _remember(db, key, depends_on, value):
    db.cache[key] = value
    for dependency in depends_on:
        if dependency[0] not in WATCHED:
            raise ValueError(f"cache key {key!r} depends on {dependency[0]!r}, which no trigger watches")
        db.dependents.setdefault(dependency, set()).add(key)


def _waiting_row(line):
    """(table, columns, values) of one waiting row; None for a line that is not one (a file
    damaged by hand): it names its table and columns, which go into SQL, so they are checked."""
    try:
        table, columns, values = json.loads(line)
    except ValueError:
        return None
    if not (_NAME.fullmatch(table) and all(_NAME.fullmatch(column) for column in columns)
            and len(columns) == len(values)):
        return None
    return table, tuple(columns), values


def _watch(db):
    """Temporary (this connection's) triggers telling its cache of each write to a WATCHED table."""
    db.create_function("rows_changed", 2, db.rows_changed_callback())
    for table, column in WATCHED.items():
        old, new = (f"OLD.{column}", f"NEW.{column}") if column else ("NULL", "NULL")
        for event, keys in (("INSERT", [new]), ("UPDATE", [old, new]), ("DELETE", [old])):
            calls = ", ".join(f"rows_changed('{table}', {key})" for key in keys)
            db.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS watch_{table}_{event.lower()} "
                       f"AFTER {event} ON main.{table} BEGIN SELECT {calls}; END")
    return db


def _migrate(db, path):
    """Bring the file to SCHEMA_VERSION (see the module docstring), or refuse a newer one."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise UnsupportedStateFile(path, found)
    if found == SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        found = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated it
        if found < SCHEMA_VERSION:
            for migration in MIGRATIONS[found:]:
                _run_script(db, migration)
            _run_script(db, full_schema())
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _run_script(db, script):
    """Each statement of ``script`` in the current transaction (executescript would commit it)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def insert(db, table, **values):
    """INSERT one row naming its columns (``table`` and the names are the code's constants)."""
    db.execute(_insert_sql(table, tuple(values)), tuple(values.values()))


def insert_many(db, table, columns, rows):
    """INSERT each tuple of ``rows``, its values in the order of ``columns``."""
    db.executemany(_insert_sql(table, tuple(columns)), rows)


@functools.lru_cache(maxsize=None)
def _insert_sql(table, columns):
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
