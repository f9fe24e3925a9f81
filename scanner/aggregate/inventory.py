"""The inventory: every aggregation run recorded in an embedded SQLite database.

Each identity keeps `first_seen`, `last_seen`, `orphaned_since` (the start of its current or
last orphaned spell), `resolved_at` (when that spell ended) and `gone_since` (when a reported
repository stopped declaring it). A run is one transaction, so a crash leaves the previous run's
state intact; a second writer waits `timeout` seconds, then fails with a clear message. The
schema version is SQLite's `user_version`; `MIGRATIONS` brings older files forward.

Repositories missing from a run (a shard that failed, a report that was rejected) keep their
previous state: only the repositories a run reports are updated.
"""

from __future__ import annotations

import datetime
import functools
import json
import operator
import os
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from scanner.aggregate.inventory_model import Answer, Entry
from scanner.aggregate.inventory_schema import MIGRATIONS, SCHEMA_VERSION
from scanner.errors import InventoryError
from scanner.query import conditions

if TYPE_CHECKING:  # a query needs neither the aggregator's model nor its writer
    from scanner.aggregate.resolve import Aggregate

DEFAULT_PATH = Path("nhi-inventory.sqlite")


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """An orphan that this run found resolved (owned again, or no longer declared)."""

    repository: str
    identity: str
    kind: str
    name: str
    path: str
    line: int
    orphaned_since: str
    gone: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class History:
    """What the inventory adds to one aggregation: dates, and what changed since last time."""

    run: int
    previous_as_of: str | None
    orphaned_since: dict[tuple[str, str], str]  # (repository, identity) -> date
    new: frozenset[tuple[str, str]]  # orphans the previous run did not have
    resolved: tuple[Resolution, ...]


class RunHook(Protocol):
    """More to record in a run's transaction (`changes.Writer`, #24): `before` sees the
    previous run's state, `after` this run's."""

    def before(self, db: sqlite3.Connection, run: int) -> None: ...
    def after(self, db: sqlite3.Connection, run: int, history: History) -> None: ...


def record(
    path: Path,
    result: Aggregate,
    as_of: datetime.date,
    *,
    timeout: float = 30.0,
    progress: Callable[[int], None] | None = None,
    hook: RunHook | None = None,
) -> History:
    """Record one run in one transaction; `progress(n)` is called after every batch written."""
    from scanner.aggregate import inventory_write

    day = as_of.isoformat()
    with _connection(path, timeout) as db:
        _begin(db, path, timeout)
        try:
            _migrate(db, path)
            previous = db.execute("SELECT as_of FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            run = _insert_run(db, result, day)
            if hook is not None:
                hook.before(db, run)
            inventory_write.write(db, result, day, run, progress)
            if result.observed is not None:  # --observed exports (#26)
                from scanner.observed.store import write

                write(db, result.observed, run)
            history = _history(db, run, previous[0] if previous else None)
            if hook is not None:
                hook.after(db, run, history)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return history


def query(path: Path, filters: Mapping[str, object] | None = None, *, timeout: float = 30.0,
          **named: object) -> list[Entry]:  # fmt: skip
    """Identities still declared, filtered by `scanner.query.FILTERS` (all given must hold).
    `person` is any alias of a person (an email, a commit or noreply address, an @login):
    every identity of the person it names is found, whichever alias each report used. Days
    (`unchanged_for`) count back from the inventory's last run."""
    with _connection(path, timeout, read_only=True) as db:
        rows = _select(db, path, {**(filters or {}), **named}, _COLUMNS)
        links = _links(db, rows)
        return [_entry(row, links.get((row[0], row[1]), [])) for row in rows]


def answers(path: Path, filters: Mapping[str, object] | None = None, *,
            timeout: float = 30.0, **named: object) -> list[Answer]:  # fmt: skip
    """`query`'s answers as JSON text (`inventory_output.answer_text`): the members a run
    rendered (`shown`) completed in SQL with the dates, then the links put in where there are
    any. One text a row instead of a row's values, an `Entry` and its encoding (#25: 100,000
    answers 2.7 -> 0.85 s). Rows an older nhi wrote answer through `query`."""
    from scanner.aggregate.inventory_output import answer_text, links_json
    from scanner.reporters.json import encoder

    encode = encoder()
    filters = {**(filters or {}), **named}
    with _connection(path, timeout, read_only=True) as db:
        found = list(map(Answer._make, _select(db, path, filters, _ANSWER)))
        if any(answer.text is None for answer in found):
            return [Answer(e.repository, e.identity, e.state, answer_text(e))
                    for e in query(path, filters, timeout=timeout)]  # fmt: skip
        links = _links(db, found)
        if links:
            found = [a._replace(text=f"{a.text[:-3]}{encode(links_json(links[a[:2]]))}}}")
                     if a[:2] in links else a for a in found]  # fmt: skip
        return found


_COLUMNS = ("repository, identity, kind, name, path, line, state, rules, route_to, first_seen, "
            "last_seen, orphaned_since, resolved_at, gone_since, reach, card, shown")  # fmt: skip
# `answer_text`: the members a run wrote, the dates as they stand, no links yet.
_ANSWER = ("""repository, identity, state, '{' || shown || ', "first_seen": ' || """
           """json_quote(first_seen) || ', "last_seen": ' || json_quote(last_seen) || """
           """', "orphaned_since": ' || json_quote(orphaned_since) || ', "resolved_at": ' || """
           """json_quote(resolved_at) || ', "links": []}'""")  # fmt: skip


def _select(db: sqlite3.Connection, path: Path, filters: Mapping[str, object],
            columns: str) -> list[Row]:  # fmt: skip
    """The `columns` of the identities `filters` select, in the order answers are shown."""
    if "repository" in filters:  # the keyword before `FILTERS` named it `repo`
        filters = {("repo" if k == "repository" else k): v for k, v in filters.items()}
    _check_version(db, path)
    last = db.execute("SELECT as_of FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    day = datetime.date.fromisoformat(last[0]) if last else datetime.date.today()
    where, args = conditions(filters, day, lambda sql, a: int(db.execute(sql, a).fetchone()[0]))
    return db.execute(f"SELECT {columns} FROM identities i WHERE {where} "
                      "ORDER BY repository, path, line, identity", args).fetchall()  # fmt: skip


Key = tuple[str, str]
Row = tuple[Any, ...]  # as sqlite3 returns it: TEXT columns are str, nullable ones None
# Below this many links per answer, reading the whole links table beats two indexed joins.
_SCAN_LINKS = 4


def _links(db: sqlite3.Connection, rows: Sequence[Row]) -> dict[Key, list[Row]]:
    """Outgoing and incoming links of the answers: links are written per repository but
    shown from both ends, so they stay a table of their own (a card would go stale when only
    the other repository is reported again). Few links: one pass over the table; many: the
    keys into a temporary table and one indexed join per direction."""
    found: dict[Key, list[Row]] = {}
    if not rows:
        return found
    size = db.execute("SELECT max(rowid) FROM links").fetchone()[0] or 0
    if size == 0:
        return found
    if size <= _SCAN_LINKS * len(rows):
        keys = {(row[0], row[1]) for row in rows}
        sql = ("SELECT repository, source, 'to', relation, to_repository, target, evidence "
               "FROM links ORDER BY rowid")  # fmt: skip
        for row in db.execute(sql):
            if (row[0], row[1]) in keys:
                found.setdefault((row[0], row[1]), []).append(row[2:])
        for row in db.execute(sql):  # the same rows seen from their target
            if (row[4], row[5]) in keys:
                found.setdefault((row[4], row[5]), []).append(("from", row[3], *row[:2], row[6]))
        return found
    db.execute("CREATE TEMP TABLE picked (repository TEXT, identity TEXT)")  # a new connection
    # In key order, so the joins walk each index forwards (no sort: the plan scans `picked`
    # by rowid and each index equality by rowid, so one key's links come as written).
    db.executemany("INSERT INTO temp.picked VALUES (?, ?)", sorted(row[:2] for row in rows))
    for sql in _JOINED_LINKS:
        for row in db.execute(sql):
            found.setdefault((row[0], row[1]), []).append(row[2:])
    return found


# Named indexes: without statistics SQLite may read links by the other end's index.
_JOINED_LINKS = (
    "SELECT t.repository, t.source, 'to', t.relation, t.to_repository, t.target, t.evidence "
    "FROM temp.picked AS k CROSS JOIN links AS t INDEXED BY links_by_source "
    "ON t.repository = k.repository AND t.source = k.identity ORDER BY k.rowid, t.rowid",
    "SELECT t.to_repository, t.target, 'from', t.relation, t.repository, t.source, t.evidence "
    "FROM temp.picked AS k CROSS JOIN links AS t INDEXED BY links_by_target "
    "ON t.to_repository = k.repository AND t.target = k.identity ORDER BY k.rowid, t.rowid",
)


def _entry(row: Row, links: list[Row]) -> Entry:
    if row[16] is not None:
        return _shown_entry(row, links)
    people, facets = json.loads(row[15])  # the card, as nhi before schema 10 wrote it
    return Entry(repository=row[0], identity=row[1], kind=row[2], name=row[3], path=row[4],
                 line=row[5], state=row[6], rules=_decode(row[7]), route_to=_decode(row[8]),
                 people=tuple(map(tuple, people)), first_seen=row[9], last_seen=row[10],
                 orphaned_since=row[11], resolved_at=row[12], gone_since=row[13],
                 reach=tuple(row[14].split()), links=tuple(links),
                 facets=tuple(map(tuple, facets)))  # fmt: skip


def _shown_entry(row: Row, links: list[Row]) -> Entry:
    """The entry whose members `inventory_output.shown` wrote (the facets it shows, without
    the evidence of a resource or a change, which no answer shows)."""
    shown = _SCAN(f"{{{row[16]}}}", 0)[0]
    env, dup, changed = shown["environment"], shown["duplicate_of"], shown["changed"]
    facets = [("environment", env["name"], env["from"])] if env else []
    if resources := shown["resources"]:
        facets += [("resource", resource, "") for resource in resources]
    if changed:
        facets.append(("changed", changed, ""))
    if dup:
        facets.append(("duplicate_of", dup["identity"], ", ".join(dup["differing"])))
    return Entry(row[0], row[1], row[2], row[3], row[4], row[5], row[6], tuple(shown["rules"]),
                 tuple(shown["route_to"]), tuple(map(_PERSON, shown["people"])), row[9],
                 row[10], row[11], row[12], row[13], tuple(shown["reach"]), tuple(links),
                 tuple(facets))  # fmt: skip


# json's C scanner itself: `json.loads` adds two whitespace matches and three calls an answer
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_PERSON = operator.itemgetter("reference", "role", "email", "state")


@functools.lru_cache(maxsize=4096)  # rules and route_to repeat: parse each once
def _decode(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


class _connection:
    """A connection in autocommit mode (transactions are ours), closed on exit. A reader
    (`read_only`) never creates the file and only reads it (a broad answer keeps its keys in a
    temporary table), but rolls back what a killed run left in the journal, where `mode=ro`
    fails ("attempt to write a readonly database"); a write-protected file is opened read-only."""

    def __init__(self, path: Path, timeout: float, *, read_only: bool = False) -> None:
        if read_only and not path.is_file():
            raise InventoryError(
                f"{path}: no inventory here; `nhi aggregate --db {path}` makes one"
            )
        target = f"{path.resolve().as_uri()}?mode=rw" if read_only else str(path)
        try:
            self.db = sqlite3.connect(target, timeout=timeout, isolation_level=None, uri=read_only)
            if read_only:  # a broad answer's sort on helper threads (100,000 answers: -0.08 s)
                self.db.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")
        except sqlite3.Error as error:
            raise InventoryError(f"{path}: cannot open the inventory ({error})") from None

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *_exc: object) -> None:
        self.db.close()


def _begin(db: sqlite3.Connection, path: Path, timeout: float) -> None:
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise InventoryError(
                f"{path}: another nhi is writing this inventory; gave up after waiting "
                f"{timeout:g} s. Run again when it has finished."
            ) from None
        raise InventoryError(f"{path}: cannot write the inventory ({error})") from None
    except sqlite3.DatabaseError as error:
        raise InventoryError(f"{path}: not an inventory ({error})") from None


def _version(db: sqlite3.Connection, path: Path) -> int:
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise InventoryError(f"{path}: not an inventory ({error})") from None


def _check_version(db: sqlite3.Connection, path: Path) -> None:
    version = _version(db, path)
    if version != SCHEMA_VERSION:
        raise InventoryError(
            f"{path}: inventory schema version {version}, this nhi reads {SCHEMA_VERSION}; "
            + (
                "upgrade nhi"
                if version > SCHEMA_VERSION
                else "the next `nhi aggregate` with this --db migrates it"
            )
        )


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the schema forward inside the run's transaction."""
    version = _version(db, path)
    if version > SCHEMA_VERSION:
        raise InventoryError(
            f"{path}: inventory schema version {version} was written by a "
            f"newer nhi (this one knows {SCHEMA_VERSION}); upgrade nhi"
        )
    for step in MIGRATIONS[version:]:
        for statement in step:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _insert_run(db: sqlite3.Connection, result: Aggregate, day: str) -> int:
    cursor = db.execute(
        "INSERT INTO runs (as_of, repositories, identities, orphans) VALUES (?, ?, ?, ?)",
        (day, len(result.repositories), len(result.identities), len(result.orphans)),
    )
    return int(cursor.lastrowid or 0)


def _history(db: sqlite3.Connection, run: int, previous: str | None) -> History:
    since: dict[tuple[str, str], str] = {}
    new: set[tuple[str, str]] = set()
    for repository, identity, day, opened in db.execute(
        "SELECT repository, identity, orphaned_since, orphaned_run FROM identities "
        "WHERE last_run = ? AND state = 'orphaned'",
        (run,),
    ):
        since[repository, identity] = day
        if opened == run:
            new.add((repository, identity))
    resolved = tuple(
        Resolution(repository=row[0], identity=row[1], kind=row[2], name=row[3], path=row[4],
                   line=row[5], orphaned_since=row[6], gone=row[7] is not None)
        for row in db.execute(
            "SELECT repository, identity, kind, name, path, line, orphaned_since, gone_since "
            "FROM identities WHERE resolved_run = ? ORDER BY repository, path, line, identity",
            (run,),
        )
    )  # fmt: skip
    return History(
        run=run,
        previous_as_of=previous,
        orphaned_since=since,
        new=frozenset(new),
        resolved=resolved,
    )
