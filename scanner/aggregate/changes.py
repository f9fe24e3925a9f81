"""What changed since the previous run (#24), and the review loop's side of the inventory:
decisions and handovers recorded with their history, one `events` row per change (new,
decided, adopted, lapsed, resolved), and `nhi inventory --since --new --decided --pending`.

`stored` reads what earlier runs recorded (before this run decides anything); `Writer` records
this run inside `inventory.record`'s transaction, so a re-run with the same inputs adds no
decision, handover or event (idempotent).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from scanner.aggregate.inventory import History
from scanner.aggregate.inventory_model import Answer, Entry
from scanner.aggregate.review_model import REVOKE, REVOKING, Decision, Key, Review
from scanner.errors import InventoryError

if TYPE_CHECKING:
    from scanner.aggregate.resolve import Aggregate
    from scanner.aggregate.review import Stored

Answered = TypeVar("Answered", Entry, Answer)  # an answer as `query` or as `answers` gives it

_DECISION_FIELDS = ("repository, identity, decision, decided_by, decided_on, assign_to, note, "
                    "source, people")  # fmt: skip
_EVENT = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)"


def stored(path: Path | None) -> Stored:
    """The decisions, removals and handovers the inventory holds (nothing, for a new one)."""
    from scanner.aggregate.review import Stored

    if path is None or not path.is_file():
        return Stored()
    try:  # mode=rw: rolls back a killed run's journal (see inventory._connection); reads only
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)) as db:
            rows = db.execute(f"SELECT {_DECISION_FIELDS} FROM decisions ORDER BY rowid")\
                .fetchall()  # fmt: skip
            gone = db.execute("SELECT repository, identity, gone_since FROM identities "
                              "WHERE gone_since IS NOT NULL").fetchall()  # fmt: skip
            adopted = db.execute("SELECT repository, identity FROM adoptions").fetchall()
    except sqlite3.DatabaseError as error:
        if "no such table" in str(error):  # an older inventory: the run migrates it, and
            return Stored()  # nothing was decided yet
        raise InventoryError(f"{path}: not an inventory ({error})") from None
    return Stored(decisions=tuple(_decision(row) for row in rows),
                  gone={(r, i): str(day) for r, i, day in gone},
                  adopted=frozenset((str(r), str(i)) for r, i in adopted))  # fmt: skip


def _decision(row: Sequence[object]) -> Decision:
    values = [str(v) for v in row]
    return Decision(repository=values[0], identity=values[1], action=values[2],
                    decided_by=values[3], decided_on=values[4], assign_to=values[5],
                    note=values[6], source="inventory", people=values[8])  # fmt: skip


class Writer:
    """`inventory.RunHook`: records the run's review, and learns what is new."""

    def __init__(self, result: Aggregate, day: str) -> None:
        self.result, self.day = result, day
        self.new: tuple[Key, ...] = ()
        self.first_run = False
        self.resolved: tuple[tuple[Key, str], ...] = ()

    def before(self, db: sqlite3.Connection, run: int) -> None:
        known = {(str(r), str(i)) for r, i in db.execute(
            "SELECT repository, identity FROM identities WHERE gone_since IS NULL")}  # fmt: skip
        self.first_run = not known and db.execute("SELECT 1 FROM identities").fetchone() is None
        self.new = tuple(sorted(item.key for item in self.result.identities
                                if item.key not in known))  # fmt: skip
        db.executemany(_EVENT, ((run, self.day, *key, "new", "") for key in self.new))

    def after(self, db: sqlite3.Connection, run: int, history: History) -> None:
        review = self.result.review or Review()
        for d in review.given:
            cursor = db.execute(
                f"INSERT OR IGNORE INTO decisions ({_DECISION_FIELDS}, run, recorded_on) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (d.repository, d.identity, d.action, d.decided_by, d.decided_on, d.assign_to,
                 d.note, d.source, d.people, run, self.day),
            )  # fmt: skip
            if cursor.rowcount:
                db.execute(_EVENT, (run, self.day, *d.key, "decided", d.describe()))
        for h in review.handovers:
            cursor = db.execute(
                "INSERT OR IGNORE INTO adoptions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (h.repository, h.identity, " ".join(h.owners), h.provisioner, h.left_on, run,
                 self.day),
            )  # fmt: skip
            if cursor.rowcount:
                db.execute(_EVENT, (run, self.day, *h.key, "adopted", h.describe()))
        for (repository, identity), why in review.lapsed:  # once each, not every run
            if not db.execute("SELECT 1 FROM events WHERE repository = ? AND identity = ? AND "
                              "event = 'lapsed' AND detail = ?",
                              (repository, identity, why)).fetchone():  # fmt: skip
                db.execute(_EVENT, (run, self.day, repository, identity, "lapsed", why))
        self.resolved = _resolved(db, review, history)
        db.executemany(_EVENT, ((run, self.day, *key, "resolved", how)
                                for key, how in self.resolved))  # fmt: skip


def _resolved(
    db: sqlite3.Connection, review: Review, history: History
) -> tuple[tuple[Key, str], ...]:
    """Each orphan resolved this run, and by what: a decision, a handover, or neither."""
    decided = {d.key: d for d in review.decisions}
    handed = {h.key: h for h in review.handovers}
    found = []
    for done in history.resolved:
        key = (done.repository, done.identity)
        if key in decided:
            how = decided[key].describe()
        elif key in handed:
            how = f"handed over to {', '.join(handed[key].owners)}"
        elif done.gone and (revoke := _revoke(db, key)):
            how = f"revoked: {revoke}"
        else:
            how = "no longer declared" if done.gone else "owned again"
        found.append((key, how))
    return tuple(found)


def _revoke(db: sqlite3.Connection, key: Key) -> str:
    row = db.execute("SELECT decided_by, decided_on FROM decisions WHERE repository = ? AND "
                     "identity = ? AND decision = ? ORDER BY decided_on DESC LIMIT 1",
                     (*key, REVOKE)).fetchone()  # fmt: skip
    return f"decided by {row[0]} on {row[1]}" if row else ""


def finish(result: Aggregate, writer: Writer | None) -> Aggregate:
    """The aggregate with what the inventory said (new identities, what resolved what)."""
    review = result.review or Review()
    if writer is not None:
        review = dataclasses.replace(review, new=writer.new, resolved=writer.resolved,
                                     first_run=writer.first_run)  # fmt: skip
    return dataclasses.replace(result, review=review)


PENDING = frozenset({"orphaned", REVOKING, "leaving", "review"})


def select(
    path: Path, entries: Sequence[Answered], *, since: str | None = None, new: bool = False,
    decided: bool = False, pending: bool = False,
) -> list[Answered]:  # fmt: skip
    """`nhi inventory --since DATE --new --decided --pending`, each narrowing the answer:
    `--new`: first recorded on or after DATE (without it: by the last run); `--decided`: a
    decision or handover recorded on or after DATE (without it: ever); `--pending`: waiting
    for a decision (orphaned, someone leaving or suspended) or for a revocation; `--since`
    alone: anything recorded on or after DATE (new, decided, adopted, lapsed, resolved)."""
    if not (since or new or decided or pending):
        return list(entries)
    wanted: list[set[Key]] = []
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)) as db:
        if new:
            last = "" if since else "AND run = (SELECT max(id) FROM runs)"
            wanted.append(_keys(db, ("new",), since, last))
        if decided:
            wanted.append(_keys(db, ("decided", "adopted"), since))
        if since and not (new or decided):
            wanted.append(_keys(db, ("new", "decided", "adopted", "lapsed", "resolved"), since))
    return [e for e in entries if all((e.repository, e.identity) in keys for keys in wanted)
            and (not pending or e.state in PENDING)]  # fmt: skip


def _keys(db: sqlite3.Connection, events: Sequence[str], since: str | None,
          more: str = "") -> set[Key]:  # fmt: skip
    """Identities with one of `events` since that day (`inventory.query` checked the schema)."""
    marks = ", ".join("?" for _ in events)
    rows = db.execute(f"SELECT repository, identity FROM events WHERE event IN ({marks}) "
                      f"AND as_of >= ? {more}", (*events, since or "")).fetchall()  # fmt: skip
    return {(str(r), str(i)) for r, i in rows}
