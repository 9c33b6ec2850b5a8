"""The twin's workspace: a SQLite control plane, an S3-like object folder and a virtual clock.

Every write is atomic: objects are written to a temporary file and renamed (their mtime set to
the virtual time, which is what LastModified reports); control-plane changes happen inside
SQLite transactions (WAL mode, so readers in other processes never block). Long operations
that advance the clock take an exclusive file lock, so two processes never run the schedule
at once; a second one waits for the first.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..formats.layout import atomic_write_bytes

__all__ = ["ObjectInfo", "Workspace", "WorkspaceError", "default_workspace", "iso", "parse_iso", "workspace_label"]

KIND = "model-monitor-workshop-twin"
SCHEMA_VERSION = 1
ACCOUNT_ID = "123456789012"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources(
    kind TEXT NOT NULL, name TEXT NOT NULL, created TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY(kind, name));
CREATE TABLE IF NOT EXISTS metrics(
    namespace TEXT NOT NULL, name TEXT NOT NULL, dims TEXT NOT NULL, ts TEXT NOT NULL,
    sample_count REAL NOT NULL, sum REAL NOT NULL, minimum REAL NOT NULL, maximum REAL NOT NULL,
    unit TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_by_series ON metrics(namespace, name, dims, ts);
CREATE TABLE IF NOT EXISTS alarm_history(
    alarm TEXT NOT NULL, ts TEXT NOT NULL, item_type TEXT NOT NULL, summary TEXT NOT NULL,
    data TEXT NOT NULL);
"""


class WorkspaceError(RuntimeError):
    """The workspace folder cannot be used; the message says why and how to get out."""


def default_workspace() -> Path:
    """``WORKSHOP_HOME``, else ``.workshop/`` at the repository root."""
    env = os.environ.get("WORKSHOP_HOME")
    return Path(env) if env else Path(__file__).resolve().parents[2] / ".workshop"


def workspace_label(root: Path) -> str:
    """The workspace as a notebook shows it, without this machine's folders: ``.workshop/`` (in
    the repository), ``WORKSHOP_HOME`` when it is that folder, else the folder's own name."""
    root = Path(root).resolve()
    repo = Path(__file__).resolve().parents[2]
    if root.is_relative_to(repo):
        return f"{root.relative_to(repo)}/ (in the repository)"
    env = os.environ.get("WORKSHOP_HOME")
    if env and Path(env).resolve() == root:
        return "the folder WORKSHOP_HOME names"
    return f"a folder named {root.name}"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class ObjectInfo:
    bucket: str
    key: str
    size: int
    last_modified: datetime
    etag: str


class Workspace:
    """One twin estate on disk. ``Workspace.open`` checks it; ``create`` makes a new one."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.objects = self.root / "s3"
        self.db_path = self.root / "control-plane.sqlite"
        self.marker = self.root / "workspace.json"
        self._conn: sqlite3.Connection | None = None

    # -- life cycle -------------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | Path, region: str, start: datetime) -> Workspace:
        ws = cls(Path(root))
        _refuse_file_in_the_way(ws.root)
        if ws.root.exists() and any(ws.root.iterdir()):
            raise WorkspaceError(f"{ws.root} is not empty; run `python -m helpers twin reset` first")
        try:
            ws.objects.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise WorkspaceError(f"cannot create the twin at {ws.root} ({err.strerror}); "
                                 "choose a writable folder with --workspace or WORKSHOP_HOME") from None
        ws.db.executescript(_SCHEMA)  # executescript commits on its own
        ws.set_meta("region", region)
        ws.set_meta("account_id", ACCOUNT_ID)
        ws.set_meta("clock", iso(start))
        atomic_write_bytes(ws.marker, json.dumps({"kind": KIND, "schema": SCHEMA_VERSION}).encode())
        return ws

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        """The estate at ``root``, checked: each way it can be broken is named, with what to do."""
        ws = cls(Path(root))
        hint = "run `python -m helpers twin reset` to delete it, then `python -m helpers twin up`"
        _refuse_file_in_the_way(ws.root)
        if not ws.marker.is_file():
            if ws.root.exists() and any(ws.root.iterdir()):
                raise WorkspaceError(f"{ws.root} is not a twin workspace (no workspace.json); {hint}")
            raise WorkspaceError(f"no twin at {ws.root}; build it with `python -m helpers twin up`")
        try:
            marker = json.loads(ws.marker.read_text())
        except (OSError, ValueError) as err:
            raise WorkspaceError(f"{ws.marker} is unreadable ({err}); {hint}") from None
        if marker.get("kind") != KIND or marker.get("schema") != SCHEMA_VERSION:
            raise WorkspaceError(f"{ws.root} holds {marker} (expected {KIND} schema {SCHEMA_VERSION}); {hint}")
        read_only = _read_only_part(ws)
        if read_only:
            raise WorkspaceError(f"{ws.root} is read-only ({read_only} cannot be written); the twin writes "
                                 "there on every command: make it writable, or copy it and point "
                                 "--workspace or WORKSHOP_HOME at the copy (nothing is damaged)")
        if not ws.objects.is_dir():
            raise WorkspaceError(f"{ws.objects} is missing: the estate's objects (model, baseline, capture, "
                                 f"reports) are gone; {hint}")
        try:
            ws.meta("clock")
            problem = ws.db.execute("PRAGMA quick_check").fetchone()[0]
        except (sqlite3.DatabaseError, KeyError) as err:
            problem = str(err)
        if problem != "ok":
            raise WorkspaceError(f"{ws.db_path} is damaged ({problem}); {hint}")
        return ws

    @staticmethod
    def reset(root: str | Path) -> bool:
        """Delete a workspace folder; refuses folders that are not (or no longer) twins' own,
        and waits for no one: while a ``twin run`` holds the run lock it refuses."""
        root = Path(root)
        _refuse_file_in_the_way(root)
        if not root.exists():
            return False
        names = {p.name for p in root.iterdir()}
        if names and not names & {"workspace.json", "control-plane.sqlite"} and not names <= _OWN_NAMES:
            raise WorkspaceError(f"{root} does not look like a twin workspace; delete it yourself if you mean to")
        with open(root / ".run.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WorkspaceError(f"{root} is in use by another twin command (it holds the run lock); "
                                     "wait for it to finish or stop it, then run `twin reset` again") from None
            shutil.rmtree(root)
        return True

    # -- control plane ----------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self.db_path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=60000")
            self._conn = conn
        return self._conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return row[0]

    def meta_or(self, key: str, default: str) -> str:
        try:
            return self.meta(key)
        except KeyError:
            return default

    def set_meta(self, key: str, value: str, db: sqlite3.Connection | None = None) -> None:
        if db is not None:  # inside the caller's transaction
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
            return
        with self.transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def next_number(self, counter: str) -> int:
        """A persistent counter (seeds of fresh data, for example)."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (counter,)).fetchone()
            value = int(row[0]) + 1 if row else 1
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (counter, str(value)))
        return value

    @property
    def region(self) -> str:
        return self.meta("region")

    @property
    def account_id(self) -> str:
        return self.meta("account_id")

    def now(self) -> datetime:
        return parse_iso(self.meta("clock"))

    def advance_to(self, moment: datetime) -> None:
        if moment < self.now():
            raise ValueError(f"the clock never goes back ({iso(moment)} < {iso(self.now())})")
        self.set_meta("clock", iso(moment))

    # resources: one row per named resource, its description as JSON
    def put_resource(self, kind: str, name: str, body: dict[str, Any], db: sqlite3.Connection | None = None) -> None:
        text = json.dumps(body, default=_json_default)
        if db is None:
            with self.transaction() as tx:
                self._upsert(tx, kind, name, text)
        else:
            self._upsert(db, kind, name, text)

    def _upsert(self, db: sqlite3.Connection, kind: str, name: str, text: str) -> None:
        db.execute(
            "INSERT INTO resources(kind, name, created, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(kind, name) DO UPDATE SET body = excluded.body",
            (kind, name, self.meta("clock"), text))

    def resource(self, kind: str, name: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT body FROM resources WHERE kind = ? AND name = ?", (kind, name)).fetchone()
        return revive(json.loads(row[0])) if row else None

    def resources(self, kind: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT body FROM resources WHERE kind = ? ORDER BY rowid", (kind,)).fetchall()
        return [revive(json.loads(r[0])) for r in rows]

    def delete_resource(self, kind: str, name: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM resources WHERE kind = ? AND name = ?", (kind, name))

    # -- objects ----------------------------------------------------------------------------
    def _object_path(self, bucket: str, key: str) -> Path:
        path = (self.objects / bucket / key).resolve()
        if self.objects.resolve() not in path.parents:
            raise ValueError(f"object key escapes the store: {key!r}")
        return path

    def bucket_exists(self, bucket: str) -> bool:
        return (self.objects / bucket).is_dir()

    def create_bucket(self, bucket: str) -> None:
        (self.objects / bucket).mkdir(parents=True, exist_ok=True)

    def put_object(self, bucket: str, key: str, data: bytes, moment: datetime | None = None) -> ObjectInfo:
        path = self._object_path(bucket, key)
        atomic_write_bytes(path, data)
        stamp = (moment or self.now()).timestamp()
        os.utime(path, (stamp, stamp))
        return self.head_object(bucket, key)

    def head_object(self, bucket: str, key: str) -> ObjectInfo | None:
        path = self._object_path(bucket, key)
        if not path.is_file():
            return None
        stat = path.stat()
        return ObjectInfo(bucket, key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, timezone.utc),
                          _etag(path))

    def get_object(self, bucket: str, key: str) -> bytes | None:
        path = self._object_path(bucket, key)
        return path.read_bytes() if path.is_file() else None

    def object_path(self, bucket: str, key: str) -> Path:
        """The local file behind an object (the analyzer reads capture files in place)."""
        return self._object_path(bucket, key)

    def list_objects(self, bucket: str, prefix: str = "") -> list[ObjectInfo]:
        """Every object under a prefix, in key (UTF-8 byte) order as S3 lists them."""
        base = self.objects / bucket
        start = base / prefix.rsplit("/", 1)[0] if "/" in prefix else base
        if not start.is_dir():
            return []
        keys = []
        for path in start.rglob("*"):
            relative = path.relative_to(base)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                key = relative.as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        keys.sort(key=lambda k: k.encode("utf-8"))
        return [info for k in keys if (info := self.head_object(bucket, k)) is not None]

    def delete_object(self, bucket: str, key: str) -> None:
        self._object_path(bucket, key).unlink(missing_ok=True)

    # -- concurrency ------------------------------------------------------------------------
    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the workspace's run lock (blocks while another process holds it).

        Once the lock is ours the workspace is checked again: a ``twin reset`` that ran while
        this process waited has deleted it, and carrying on would recreate part of it.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".run.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                if not self.marker.is_file() or os.fstat(handle.fileno()).st_nlink == 0:
                    raise WorkspaceError(f"{self.root} was deleted (twin reset) while this command waited; "
                                         "build it again with `python -m helpers twin up`")
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


# what a workspace folder may hold (a reset accepts a folder holding only these)
_OWN_NAMES = {"s3", "control-plane.sqlite", "control-plane.sqlite-wal", "control-plane.sqlite-shm",
              "workspace.json", ".run.lock"}


def _refuse_file_in_the_way(root: Path) -> None:
    """A workspace path that is a file, or lies below one, is named as such."""
    for path in (root, *root.parents):
        if path.exists():
            if not path.is_dir():
                where = "is a file" if path == root else f"is below {path}, which is a file"
                raise WorkspaceError(f"the twin's workspace {root} {where}; point --workspace or "
                                     "WORKSHOP_HOME at a folder")
            return


def _read_only_part(ws: Workspace) -> str | None:
    """The first part of the workspace this process cannot write, if any."""
    for path in (ws.root, ws.db_path, ws.objects):
        if path.exists() and not os.access(path, os.W_OK):
            return str(path)
    probe = ws.root / f".write-probe-{os.getpid()}"
    try:
        probe.touch()
        probe.unlink()
    except OSError as err:
        if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"{ws.root} ({err.strerror})"
        raise
    return None


def _etag(path: Path) -> str:
    return '"' + hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest() + '"'


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__datetime__": iso(value)}
    raise TypeError(f"cannot store {type(value).__name__}")


def revive(value: Any) -> Any:
    """Turn stored ``{"__datetime__": ...}`` markers back into datetimes, recursively."""
    if isinstance(value, dict):
        if set(value) == {"__datetime__"}:
            return parse_iso(value["__datetime__"])
        return {k: revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [revive(v) for v in value]
    return value
