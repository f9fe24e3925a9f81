"""What one run writes into the inventory (`inventory.record` holds the transaction).

An identity's people and facets rows are rewritten only when they changed: each identity keeps
a digest of them, and a run compares digests before it deletes or inserts anything. A week
later most identities are as they were, and rewriting a million people rows and two million
facet rows (each with its indexes) was most of a run (#21). Links are few and shown from both
ends: they are rewritten per reported repository, as before.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from itertools import islice, repeat

from scanner.aggregate.inventory_output import shown_text
from scanner.aggregate.inventory_schema import ALIASES, GONE, INDEXES, UPSERT
from scanner.aggregate.resolve import Aggregate, Resolved
from scanner.aggregate.review_model import OPEN_STATES
from scanner.query import facet_rows
from scanner.reporters.json import encoder

BATCH = 5000
_NEW = object()  # no digest stored: the identity has no rows yet
Key = tuple[str, str]


def write(
    db: sqlite3.Connection,
    result: Aggregate,
    day: str,
    run: int,
    progress: Callable[[int], None] | None,
) -> None:
    db.execute("CREATE TEMP TABLE IF NOT EXISTS reported (name TEXT PRIMARY KEY)")
    db.execute("DELETE FROM temp.reported")
    db.executemany("INSERT INTO temp.reported VALUES (?)", ((n,) for n in result.repositories))
    db.execute("DELETE FROM links WHERE repository IN (SELECT name FROM temp.reported)")
    db.executemany(
        "INSERT INTO links VALUES (?, ?, ?, ?, ?, ?)",
        (
            (repository, link.source, link.relation,
             str(link.attributes.get("to_repository") or repository), link.to, link.evidence)
            for link in (*result.local_links, *result.links)
            if (repository := str(link.attributes.get("from_repository") or ""))
        ),
    )  # fmt: skip
    empty = db.execute("SELECT 1 FROM identities LIMIT 1").fetchone() is None
    for index in INDEXES if empty else ():  # built once at the end (`INDEXES`)
        db.execute(f"DROP INDEX {index.split()[0]}")
    known = {row[0] for row in db.execute(  # repositories earlier runs wrote
        "SELECT r.name FROM temp.reported AS r WHERE EXISTS "
        "(SELECT 1 FROM identities AS i WHERE i.repository = r.name)")}  # fmt: skip
    done = 0
    for batch in _batches(result.identities):
        digests = [_digest(r) for r in batch]
        stored = _stored(db, {r.repository for r in batch} & known)
        changed: list[Resolved] = []
        written: list[Key] = []  # rows to delete first (a new identity has none)
        for r, digest in zip(batch, digests, strict=True):
            if (old := stored.get(key := (r.repository, r.identity), _NEW)) != digest:
                changed.append(r)
                if old is not _NEW:
                    written.append(key)
        db.executemany("DELETE FROM people WHERE repository = ? AND identity = ?", written)
        db.executemany("DELETE FROM facets WHERE repository = ? AND identity = ?", written)
        db.executemany(UPSERT, map(_row, batch, digests, repeat(day), repeat(run)))
        db.executemany(
            "INSERT INTO people (repository, identity, reference, role, email, state, person) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((r.repository, r.identity, p.reference, p.role, p.email, p.state, p.person)
             for r in changed for p in r.people),
        )  # fmt: skip
        db.executemany("INSERT INTO facets VALUES (?, ?, ?, ?, ?)",
                       (row for r in changed for row in facet_rows(r)))  # fmt: skip
        done += len(batch)
        if progress is not None:
            progress(done)
    for index in INDEXES if empty else ():
        db.execute(f"CREATE INDEX {index}")
    db.execute(GONE, {"as_of": day, "run": run})
    for table in ("people", "facets"):  # identities a reported repository no longer declares
        db.execute(
            f"DELETE FROM {table} WHERE (repository, identity) IN (SELECT repository, identity "
            "FROM identities WHERE last_run <> ? AND digest IS NOT NULL "
            "AND repository IN (SELECT name FROM temp.reported))",
            (run,),
        )
    db.execute(
        "UPDATE identities SET digest = NULL WHERE last_run <> ? AND digest IS NOT NULL "
        "AND repository IN (SELECT name FROM temp.reported)",
        (run,),
    )
    db.execute("DELETE FROM aliases")  # a person's aliases as the people rows now say
    db.execute(ALIASES)


def _stored(db: sqlite3.Connection, repositories: set[str]) -> dict[Key, str | None]:
    """The digests the inventory holds for the identities of `repositories` (one range of
    the primary key each: far cheaper than looking up every identity)."""
    if not repositories:
        return {}
    marks = ", ".join("?" for _ in repositories)
    return {(repository, identity): digest for repository, identity, digest in db.execute(
        f"SELECT repository, identity, digest FROM identities WHERE repository IN ({marks})",
        sorted(repositories),
    )}  # fmt: skip


def _digest(r: Resolved) -> str:
    """What the people and facets rows of one identity say, as one short text: each person
    (reference, role, email, state and key), the facets, reach and deciders."""
    said = ([(p.reference, p.role, p.email, p.state, p.person) for p in r.people], r.facets,
            r.reach, r.route_to)  # fmt: skip
    text = repr(said)  # unambiguous, and twice as fast as JSON
    return hashlib.blake2b(text.encode(errors="surrogateescape"), digest_size=16).hexdigest()


def _batches(items: Sequence[Resolved]) -> Iterator[list[Resolved]]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH)):
        yield batch


# json.dumps builds an encoder per call: a million lists on a first run took 2 s (#25)
_LIST = encoder()


def _row(r: Resolved, digest: str, day: str, run: int) -> dict[str, object]:
    return {
        "repository": r.repository,
        "identity": r.identity,
        "kind": r.kind,
        "name": r.name,
        "path": r.path,
        "line": r.line,
        "state": r.state,
        "rules": _LIST(r.rules),
        "route_to": _LIST(r.route_to),
        "as_of": day,
        "run": run,
        "orphaned": r.state in OPEN_STATES,  # revocation pending stays open (#24)
        "reach": " ".join(r.reach),
        "card": "",  # schema 10 shows `shown`; a card is what an older nhi wrote
        "digest": digest,
        "shown": shown_text(r, ((p.reference, p.role, p.email, p.state) for p in r.people)),
    }
