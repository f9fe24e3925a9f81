"""A content-addressed cache of per-file scan results, so unchanged files are never parsed twice.

The key is the file's git blob id (from `git ls-files -s` for clean files, computed the same
way from the bytes otherwise), its path (identities carry it) and a salt made of the tool
version and the scanners' own source, so an upgrade or a local edit of a scanner invalidates
everything. Entries live in one SQLite file under the user cache directory (restorable in CI
with actions/cache). The cache is an optimisation only: any problem with it is a miss.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from scanner import __version__
from scanner.model import JSON, Category, Consumer, Fact, Identity, ModuleCall, TerraformBlock

FILE_NAME = "scan-cache-v2.sqlite"
MAX_AGE_DAYS = 30  # an entry not written again for this long is deleted
MAX_BYTES = 256 * 1024 * 1024  # past this, only the last week's entries are kept
WRITE_EVERY = 500  # texts put are written this many at a time (and the rest at close)


def _today() -> int:
    """Days since the epoch (entries are aged by the day they were written)."""
    return int(time.time() // 86_400)


# A file's facts, its parse error (line, message) if any, and whether it holds waiver marks.
Facts = tuple[tuple[Fact, ...], tuple[int | None, str] | None, bool]


@functools.cache
def salt() -> str:
    """The tool version plus a digest of every module of the package, by its path inside it.

    The whole package, not a list of the modules that decide what a scan finds: a list goes
    stale when a module moves or a new one joins (issue 17), and a stale salt serves facts
    from an older scanner. Reading ~80 small files costs about a millisecond.
    """
    package = Path(__file__).parents[1]  # scanner/, from scanner/pipeline/cache.py
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(package.rglob("*.py")):
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def blob_id(data: bytes) -> str:
    """git's object id for a blob with this content (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class Cache:
    """Scan results by (path, blob id). Safe to share between processes (WAL, busy timeout)."""

    def __init__(self, folder: Path) -> None:
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # one connection, shared by the blame threads
        self._loaded: dict[str, str | None] = {}  # `preload`ed texts (None: not stored)
        self._unwritten: dict[str, str] = {}  # texts put, written WRITE_EVERY at a time
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Before 0.1.0's v2 file, cached blame held the blamed lines' content (secrets
            # included): such a file is deleted, never read.
            for old in ("scan-cache.sqlite", "scan-cache.sqlite-wal", "scan-cache.sqlite-shm"):
                (folder / old).unlink(missing_ok=True)
            # Threads of the attribution pool share it; sqlite3 serialises the calls.
            self._db = sqlite3.connect(folder / FILE_NAME, timeout=5, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # A commit is not synced to disk (only checkpoints are): a crash may lose the last
            # entries, never the file's integrity, and a cache can lose entries. A warm scan
            # after a new commit moves every blame entry to the new HEAD, one commit each
            # (335 on the benchmark tree: 0.1 s of fsync, #21).
            self._db.execute("PRAGMA synchronous=NORMAL")
            for table in ("facts", "blame"):
                self._db.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} "
                    "(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
                columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                if "at" not in columns:  # the day an entry was written (files of 0.1.0 lack it)
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN at INTEGER NOT NULL "
                                     "DEFAULT 0")  # fmt: skip
            self._prune(folder / FILE_NAME)
        except (OSError, sqlite3.Error):
            self._db = None

    def _prune(self, path: Path) -> None:
        """Entries not written for MAX_AGE_DAYS go; past MAX_BYTES, all but the last week's, and
        the file is compacted (CI keeps this folder between runs: it must not only grow)."""
        if self._db is None:
            return
        today = _today()
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INT)")
            row = self._db.execute("SELECT value FROM meta WHERE name = 'pruned'").fetchone()
            if row is not None and row[0] >= today:
                return  # once a day
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('pruned', ?)", (today,))
            for table in ("facts", "blame"):
                self._db.execute(f"DELETE FROM {table} WHERE at < ?", (today - MAX_AGE_DAYS,))
        if path.stat().st_size > MAX_BYTES:
            with self._db:
                for table in ("facts", "blame"):
                    self._db.execute(f"DELETE FROM {table} WHERE at < ?", (today - 7,))
            self._db.execute("VACUUM")

    @staticmethod
    def key(path: str, blob: str) -> str:
        return hashlib.sha256(f"{salt()}\0{path}\0{blob}".encode()).hexdigest()

    def get_many(self, keys: Iterable[str]) -> dict[str, Facts]:
        if self._db is None:
            return {}
        wanted = list(keys)
        found: dict[str, Facts] = {}
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, value FROM facts WHERE key IN ({marks})", chunk
                ).fetchall()
                for key, value in rows:
                    decoded = _decode(value)
                    if decoded is not None:  # a corrupt entry is a miss, rewritten later
                        found[key] = decoded
        except sqlite3.Error:
            return {}
        return found

    def put_many(self, entries: dict[str, Facts]) -> None:
        if self._db is None or not entries:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO facts (key, value, at) VALUES (?, ?, ?)",
                    [(key, _encode(facts), _today()) for key, facts in entries.items()],
                )
        except sqlite3.Error:
            return

    def get_text(self, key: str) -> str | None:
        """A cached `git blame` output (porcelain text), or None."""
        return self.get_texts([key]).get(key)

    def preload(self, keys: Sequence[str]) -> frozenset[str]:
        """Read these texts in one query and keep them (and which are not stored) for this run:
        a warm scan asks for every blamed file's text twice, from eight threads, and one query
        under the lock each time cost more than the blames' reading (#21). The keys stored."""
        found = self.get_texts(keys)
        with self._lock:
            self._loaded.update((key, found.get(key)) for key in keys)
        return frozenset(found)

    def get_texts(self, keys: Sequence[str]) -> dict[str, str]:
        """Cached texts (blame output, traces, sniffing verdicts) of the `keys` stored."""
        if self._db is None:
            return {}
        found: dict[str, str] = {}
        try:
            with self._lock:
                if self._loaded or self._unwritten:
                    asked, keys = keys, []
                    for key in asked:  # an empty text is a text (a trace that found nothing)
                        if key in self._unwritten:
                            found[key] = self._unwritten[key]
                        elif key not in self._loaded:
                            keys.append(key)
                        elif (text := self._loaded[key]) is not None:
                            found[key] = text
                for start in range(0, len(keys), 500):
                    chunk = list(keys[start : start + 500])
                    marks = ",".join("?" * len(chunk))
                    found.update(self._db.execute(
                        f"SELECT key, value FROM blame WHERE key IN ({marks})", chunk
                    ).fetchall())  # fmt: skip
        except sqlite3.Error:
            return {}
        return found

    def put_text(self, key: str, value: str) -> None:
        self.put_texts({key: value})

    def put_texts(self, entries: Mapping[str, str]) -> None:
        """Kept, and written to the file with others (WRITE_EVERY, and at `close`): a cold scan
        puts one text per blamed file and per traced move, and a transaction each was 1,783
        commits on the benchmark tree (#21). Read back at once by `get_texts`."""
        if self._db is None or not entries:
            return
        with self._lock:
            self._unwritten.update(entries)
            self._loaded.update((key, value) for key, value in entries.items()
                                if key in self._loaded)  # fmt: skip
            if len(self._unwritten) >= WRITE_EVERY:
                self._write()

    def _write(self) -> None:
        """The texts put since the last write, in one transaction (the lock held)."""
        if self._db is None or not self._unwritten:
            return
        rows = [(key, value, _today()) for key, value in self._unwritten.items()]
        self._unwritten = {}
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO blame (key, value, at) VALUES (?, ?, ?)", rows
                )
        except sqlite3.Error:
            return  # a cache may lose entries

    def close(self) -> None:
        if self._db is not None:
            with self._lock:
                self._write()
            self._db.close()


class Sniffs:
    """Content-sniffing verdicts by path and blob id (`discover.Verdicts`): a file with local
    changes or an untracked one (no clean blob) is sniffed afresh every time."""

    def __init__(self, cache: Cache, blobs: Mapping[str, str]) -> None:
        self._cache, self._blobs = cache, blobs

    def _key(self, name: str) -> str | None:
        blob = self._blobs.get(name)
        return None if blob is None else Cache.key(f"sniff\0{name}", blob)

    def recall(self, names: Sequence[str]) -> dict[str, bool]:
        keys = {key: name for name in names if (key := self._key(name)) is not None}
        stored = self._cache.get_texts(list(keys))
        return {keys[key]: value == "1" for key, value in stored.items() if value in ("0", "1")}

    def remember(self, verdicts: Mapping[str, bool]) -> None:
        self._cache.put_texts({key: "1" if worth else "0" for name, worth in verdicts.items()
                               if (key := self._key(name)) is not None})  # fmt: skip


def _encode(facts: Facts) -> str:
    items, error, marked = facts
    return json.dumps(
        {
            "facts": [{"type": type(f).__name__, **dataclasses.asdict(f)} for f in items],
            "error": None if error is None else list(error),
            "marked": marked,
        }
    )


def _decode(value: str) -> Facts | None:
    try:
        document = json.loads(value)
        items: list[Fact] = []
        for fact in document["facts"]:
            kind = fact.pop("type")
            if kind == "ModuleCall":
                items.append(ModuleCall(**fact))
            elif kind == "TerraformBlock":
                values = tuple(fact.pop("values"))
                items.append(TerraformBlock(**fact, values=values))
            else:
                items.append(_identity(fact))
        error = document["error"]
        marked = document["marked"]
        if not isinstance(marked, bool):
            return None
        return tuple(items), None if error is None else (error[0], str(error[1])), marked
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _identity(fact: dict[str, JSON]) -> Identity:
    consumers = fact.pop("consumers")
    owners = fact.pop("declared_owners")
    category = fact.pop("category")
    return Identity(
        **fact,  # type: ignore[arg-type]
        category=Category(str(category)),
        consumers=tuple(Consumer(**c) for c in consumers),  # type: ignore[arg-type, union-attr]
        declared_owners=tuple(owners),  # type: ignore[arg-type]
    )
