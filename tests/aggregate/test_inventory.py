"""The SQLite inventory: history over runs, one transaction per run, one writer at a time."""

from __future__ import annotations

import dataclasses
import datetime
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.aggregate import changes, inventory
from scanner.aggregate.inventory_output import answer_text, shown_text
from scanner.aggregate.resolve import Aggregate, PersonState, Resolved
from scanner.aggregate.review import Stored
from scanner.cli import main
from scanner.errors import InventoryError
from scanner.model import Link

ROOT = Path(__file__).parents[2]
BOB = PersonState(
    reference="bob@acme.example", role="provisioner", state="departed", email="bob@acme.example"
)
ALICE = PersonState(reference="@alice-a", role="owner", state="active", email="alice@acme.example")


def item(repository: str, name: str, state: str, *people: PersonState) -> Resolved:
    return Resolved(
        repository=repository,
        identity=f"iam.tf#aws_iam_access_key.{name}",
        kind="aws_iam_access_key",
        name=name,
        path="iam.tf",
        line=len(name),
        state=state,
        rules=("NHI101",) if state == "orphaned" else (),
        people=people,
        route_to=("carol@acme.example",) if state == "orphaned" else (),
        why="manager of bob@acme.example" if state == "orphaned" else "",
    )


def run(*items: Resolved, repositories: tuple[str, ...]) -> Aggregate:
    return Aggregate(
        repositories=repositories,
        identities=items,
        orphans=tuple(i for i in items if i.state == "orphaned"),
        rejected=(),
    )


def dates(db: Path) -> dict[tuple[str, str], tuple[object, ...]]:
    return {
        (e.repository, e.name): (
            e.state,
            e.first_seen,
            e.last_seen,
            e.orphaned_since,
            e.resolved_at,
        )
        for e in inventory.query(db)
    }


def test_three_runs_keep_first_seen_orphaned_since_and_resolved_at(tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    first = inventory.record(
        db,
        run(
            item("acme/a", "one", "owned", ALICE),
            item("acme/a", "two", "orphaned", BOB),
            item("acme/b", "three", "orphaned", BOB),
            repositories=("acme/a", "acme/b"),
        ),
        datetime.date(2026, 1, 5),
    )
    assert (first.previous_as_of, sorted(first.new), first.resolved) == (
        None,
        [
            ("acme/a", "iam.tf#aws_iam_access_key.two"),
            ("acme/b", "iam.tf#aws_iam_access_key.three"),
        ],
        (),
    )
    # acme/b's shard failed: its identities keep their state
    second = inventory.record(
        db,
        run(
            item("acme/a", "one", "orphaned", BOB),
            item("acme/a", "two", "orphaned", BOB),
            repositories=("acme/a",),
        ),
        datetime.date(2026, 2, 2),
    )
    assert (second.previous_as_of, sorted(second.new)) == (
        "2026-01-05",
        [("acme/a", "iam.tf#aws_iam_access_key.one")],
    )
    assert second.orphaned_since == {
        ("acme/a", "iam.tf#aws_iam_access_key.one"): "2026-02-02",
        ("acme/a", "iam.tf#aws_iam_access_key.two"): "2026-01-05",
    }
    assert dates(db) == {
        ("acme/a", "one"): ("orphaned", "2026-01-05", "2026-02-02", "2026-02-02", None),
        ("acme/a", "two"): ("orphaned", "2026-01-05", "2026-02-02", "2026-01-05", None),
        ("acme/b", "three"): ("orphaned", "2026-01-05", "2026-01-05", "2026-01-05", None),
    }
    # one is owned again, two is deleted from the repository, four appears
    third = inventory.record(
        db,
        run(
            item("acme/a", "one", "owned", ALICE),
            item("acme/b", "three", "orphaned", BOB),
            item("acme/b", "four", "owned", ALICE),
            repositories=("acme/a", "acme/b"),
        ),
        datetime.date(2026, 3, 2),
    )
    assert (third.new, [(r.name, r.orphaned_since, r.gone) for r in third.resolved]) == (
        frozenset(),
        [("one", "2026-02-02", False), ("two", "2026-01-05", True)],
    )
    assert dates(db) == {
        ("acme/a", "one"): ("owned", "2026-01-05", "2026-03-02", "2026-02-02", "2026-03-02"),
        ("acme/b", "three"): ("orphaned", "2026-01-05", "2026-03-02", "2026-01-05", None),
        ("acme/b", "four"): ("owned", "2026-03-02", "2026-03-02", None, None),
    }
    # orphaned again later: a new spell
    inventory.record(
        db,
        run(item("acme/a", "one", "orphaned", BOB), repositories=("acme/a",)),
        datetime.date(2026, 4, 1),
    )
    assert dates(db)[("acme/a", "one")] == (
        "orphaned",
        "2026-01-05",
        "2026-04-01",
        "2026-04-01",
        None,
    )


CRASH = """
import datetime, sys, time
from pathlib import Path
from scanner.aggregate import inventory
from scanner.aggregate.resolve import Aggregate, Resolved

items = tuple(
    Resolved(repository="acme/big", identity=f"k#{n}", kind="aws_iam_access_key", name=f"k{n}",
             path="k.tf", line=n, state="orphaned", rules=("NHI101",), people=(),
             route_to=(), why="")
    for n in range(12000)
)
result = Aggregate(repositories=("acme/a", "acme/big"), identities=items, orphans=items,
                   rejected=())

def pause(done):
    print(f"wrote {done}", flush=True)
    time.sleep(60)

inventory.record(Path(sys.argv[1]), result, datetime.date(2026, 2, 2), progress=pause)
"""


def test_a_run_killed_midway_leaves_the_previous_state(tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    inventory.record(
        db,
        run(item("acme/a", "one", "orphaned", BOB), repositories=("acme/a",)),
        datetime.date(2026, 1, 5),
    )
    before = dates(db)
    child = subprocess.Popen(
        [sys.executable, "-c", CRASH, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "wrote 5000\n"  # inside the transaction, mid-write
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert child.stdout is not None
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert dates(db) == before
    with sqlite3.connect(db) as check:
        assert check.execute("SELECT as_of FROM runs").fetchall() == [("2026-01-05",)]
    again = inventory.record(
        db,
        run(item("acme/a", "one", "orphaned", BOB), repositories=("acme/a",)),
        datetime.date(2026, 2, 3),
    )
    assert (again.previous_as_of, again.new) == ("2026-01-05", frozenset())


def test_a_second_writer_waits_then_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    inventory.record(db, run(repositories=()), datetime.date(2026, 1, 5))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(InventoryError) as error:
            inventory.record(db, run(repositories=()), datetime.date(2026, 1, 6), timeout=0.3)
        assert time.monotonic() - started >= 0.3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(error.value) == (
        f"{db}: another nhi is writing this inventory; gave up after waiting 0.3 s. "
        "Run again when it has finished."
    )


def test_an_old_schema_migrates_forward_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    with sqlite3.connect(db) as old:
        for statement in inventory.MIGRATIONS[0]:
            old.execute(statement)
        old.execute("PRAGMA user_version = 1")
        old.execute(
            "INSERT INTO identities VALUES ('acme/a', 'iam.tf#aws_iam_access_key.one', "
            "'aws_iam_access_key', 'one', 'iam.tf', 3, 'owned', '[]', '[]', "
            "'2025-06-01', '2025-06-01', 1, NULL, NULL, NULL)"
        )
    old.close()
    with pytest.raises(InventoryError) as error:
        inventory.query(db)
    assert str(error.value) == (
        f"{db}: inventory schema version 1, this nhi reads {inventory.SCHEMA_VERSION}; the next "
        "`nhi aggregate` with this --db migrates it"
    )
    inventory.record(
        db,
        run(item("acme/a", "one", "orphaned", BOB), repositories=("acme/a",)),
        datetime.date(2026, 1, 5),
    )
    assert dates(db) == {
        ("acme/a", "one"): ("orphaned", "2025-06-01", "2026-01-05", "2026-01-05", None)
    }
    with sqlite3.connect(db) as newer:
        newer.execute(f"PRAGMA user_version = {inventory.SCHEMA_VERSION + 1}")
    newer.close()
    with pytest.raises(InventoryError) as error:
        inventory.record(db, run(repositories=()), datetime.date(2026, 1, 6))
    assert str(error.value) == (
        f"{db}: inventory schema version {inventory.SCHEMA_VERSION + 1} was written by a "
        "newer nhi (this one knows "
        f"{inventory.SCHEMA_VERSION}); "
        "upgrade nhi"
    )


def test_a_version_7_inventory_gets_each_card_from_its_people_and_facets(tmp_path) -> None:
    """Version 8 shows an identity's people and facets from its card; an older file computes
    the cards from its tables, so a repository no later run reports still shows them."""
    db = tmp_path / "inventory.sqlite"
    facets = (("environment", "production", "folder prod"), ("changed", "2025-03-01", ""),
              ("shape", "x", ""))  # fmt: skip
    inventory.record(
        db,
        run(
            dataclasses.replace(item("acme/a", "one", "orphaned", BOB, ALICE), facets=facets),
            item("acme/b", "two", "owned", ALICE),
            repositories=("acme/a", "acme/b"),
        ),
        datetime.date(2026, 1, 5),
    )
    before = inventory.query(db)
    assert [(e.name, e.people, e.facets) for e in before] == [
        ("one", (("bob@acme.example", "provisioner", "bob@acme.example", "departed"),
                 ("@alice-a", "owner", "alice@acme.example", "active")),
         (("environment", "production", "folder prod"), ("changed", "2025-03-01", ""))),
        ("two", (("@alice-a", "owner", "alice@acme.example", "active"),), ()),
    ]  # fmt: skip
    with sqlite3.connect(db) as old:  # as version 7 wrote it
        old.execute("ALTER TABLE identities DROP COLUMN card")
        old.execute("ALTER TABLE identities DROP COLUMN digest")
        old.execute("ALTER TABLE identities DROP COLUMN shown")
        old.execute("DROP TABLE aliases")
        old.execute("CREATE INDEX people_by_email ON people (email)")
        old.execute("CREATE INDEX people_by_reference ON people (reference)")
        old.execute("CREATE INDEX people_by_lower_reference ON people (lower(reference))")
        old.execute("PRAGMA user_version = 7")
    old.close()
    inventory.record(db, run(item("acme/b", "two", "owned", ALICE), repositories=("acme/b",)),
                     datetime.date(2026, 1, 6))  # fmt: skip
    after = {e.name: e for e in inventory.query(db)}
    assert after["one"] == before[0]  # acme/a not reported again: its card was migrated
    assert after["two"] == before[1]._replace(last_seen="2026-01-06")
    # Version 10 keeps each answer's JSON members; a row no run wrote since answers from its
    # card, the one written since from them: the same answers.
    answers = {a.name: json.loads(a.text) for a in _answers(db)}
    assert answers["one"]["people"] == [
        {"reference": "bob@acme.example", "role": "provisioner", "email": "bob@acme.example",
         "state": "departed"},
        {"reference": "@alice-a", "role": "owner", "email": "alice@acme.example",
         "state": "active"},
    ]  # fmt: skip
    assert answers["one"]["environment"] == {"name": "production", "from": "folder prod"}
    assert (answers["one"]["changed"], answers["two"]["last_seen"]) == ("2025-03-01", "2026-01-06")
    # Version 9 finds a person by any alias through one table, not three indexes of people.
    for alias in ("@alice-a", "alice@acme.example", "bob@acme.example"):
        found = [e.name for e in inventory.query(db, person=alias)]
        assert found == (["one", "two"] if "alice" in alias else ["one"])
    with sqlite3.connect(db) as migrated:
        indexes = {
            row[0]
            for row in migrated.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'people'"
            )
        }
    migrated.close()
    assert indexes == {"people_by_identity", "people_by_person", "people_by_role"}


def _indexes(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        found = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "ORDER BY name"
        ).fetchall()
    connection.close()
    return found


def test_a_first_run_builds_the_indexes_after_its_rows(tmp_path) -> None:
    """Into an empty inventory the rows go first and the indexes are built once after: the
    same indexes the migrations make, and a second run (which keeps them) finds through them."""
    migrated = tmp_path / "migrated.sqlite"
    with sqlite3.connect(migrated) as connection:
        inventory._migrate(connection, migrated)  # the schema as the migrations leave it
    connection.close()
    first = tmp_path / "first.sqlite"
    inventory.record(first, run(item("acme/a", "one", "orphaned", BOB, ALICE),
                                item("acme/a", "two", "owned", ALICE), repositories=("acme/a",)),
                     datetime.date(2026, 1, 5))  # fmt: skip
    assert _indexes(first) == _indexes(migrated)
    assert [name for name, _ in _indexes(first)] == [
        "events_by_day", "events_by_identity", "facets_by_identity", "facets_by_value",
        "identities_by_kind", "links_by_source", "links_by_target", "observed_by_identity",
        "people_by_identity", "people_by_person", "people_by_role",
    ]  # fmt: skip
    assert [e.name for e in inventory.query(first, person="alice@acme.example")] == ["one", "two"]
    assert [e.name for e in inventory.query(first, decider="carol@acme.example")] == ["one"]
    inventory.record(first, run(item("acme/a", "two", "owned", ALICE), repositories=("acme/a",)),
                     datetime.date(2026, 1, 6))  # fmt: skip
    assert _indexes(first) == _indexes(migrated)
    assert [e.name for e in inventory.query(first, person="alice@acme.example")] == ["two"]


def test_a_run_rewrites_only_the_people_and_facets_that_changed(tmp_path) -> None:
    """Unchanged identities keep their rows; changed ones get the new rows; one no longer
    declared loses its rows (and gets them back when it returns); an unreported repository
    keeps everything. The tables hold each row once."""
    db = tmp_path / "inventory.sqlite"
    carol = PersonState(reference="carol@acme.example", role="owner", state="active",
                        email="carol@acme.example")  # fmt: skip
    prod = (("environment", "production", "folder prod"),)
    one = dataclasses.replace(item("acme/a", "one", "owned", ALICE), facets=prod)
    two, three = item("acme/a", "two", "owned", ALICE), item("acme/a", "three", "owned", BOB)
    other = item("acme/b", "four", "owned", BOB)
    inventory.record(db, run(one, two, three, other, repositories=("acme/a", "acme/b")),
                     datetime.date(2026, 1, 5))  # fmt: skip

    def rows() -> list[tuple[str, ...]]:
        with sqlite3.connect(db) as con:
            found = con.execute(
                "SELECT 'people', repository, identity, reference, role FROM people UNION ALL "
                "SELECT 'facets', repository, identity, facet, value FROM facets "
                "ORDER BY 1, 2, 3, 4").fetchall()  # fmt: skip
        con.close()
        return [tuple(str(part).removeprefix("iam.tf#aws_iam_access_key.") for part in row)
                for row in found]  # fmt: skip

    def rowids() -> dict[str, int]:
        with sqlite3.connect(db) as con:
            found = dict(con.execute("SELECT identity, rowid FROM people"))
        con.close()
        return {k.removeprefix("iam.tf#aws_iam_access_key."): v for k, v in found.items()}

    before, written = rows(), rowids()
    moved = dataclasses.replace(two, people=(carol,))  # handed to carol
    inventory.record(db, run(one, moved, repositories=("acme/a",)), datetime.date(2026, 1, 6))
    now = rowids()  # one's row was left alone, two's written again
    assert (now["one"], now["four"]) == (written["one"], written["four"])
    assert now["two"] > max(written.values())
    assert rows() == [
        ("facets", "acme/a", "one", "environment", "production"),
        ("people", "acme/a", "one", "@alice-a", "owner"),
        ("people", "acme/a", "two", "carol@acme.example", "owner"),  # three is gone
        ("people", "acme/b", "four", "bob@acme.example", "provisioner"),  # not reported
    ]
    assert [e.name for e in inventory.query(db, owner="carol@acme.example")] == ["two"]
    assert [e.name for e in inventory.query(db, person="@alice-a")] == ["one"]
    assert [e.name for e in inventory.query(db, environment="prod")] == ["one"]
    inventory.record(db, run(one, two, three, repositories=("acme/a",)),
                     datetime.date(2026, 1, 7))  # fmt: skip
    assert rows() == before  # three returns, two goes back to alice
    assert [e.name for e in inventory.query(db, person="bob@acme.example")] == ["three", "four"]


def test_links_read_by_a_pass_or_by_the_index_are_the_same(tmp_path, monkeypatch) -> None:
    """Few links (against the answers) are read in one pass over the table, many through the
    index; both give each identity its outgoing links, then its incoming ones, as written."""
    db = tmp_path / "inventory.sqlite"

    def link(source: str, to: str, relation: str, frm: str, dest: str) -> Link:
        return Link(source=f"iam.tf#aws_iam_access_key.{source}", to=to, relation=relation,
                    evidence=f"{source} {relation}",
                    attributes={"from_repository": frm, "to_repository": dest})  # fmt: skip

    result = dataclasses.replace(
        run(item("acme/a", "one", "owned", ALICE), item("acme/a", "two", "owned", ALICE),
            item("acme/b", "three", "owned", ALICE), repositories=("acme/a", "acme/b")),
        local_links=(link("one", "iam.tf#aws_iam_access_key.two", "uses", "acme/a", "acme/a"),),
        links=(link("three", "iam.tf#aws_iam_access_key.one", "creates", "acme/b", "acme/a"),
               link("one", "github-oidc:repo:acme/x", "federates", "acme/a", "acme/a")),
    )  # fmt: skip
    inventory.record(db, result, datetime.date(2026, 1, 5))
    expected = {
        "one": (("to", "uses", "acme/a", "iam.tf#aws_iam_access_key.two", "one uses"),
                ("to", "federates", "acme/a", "github-oidc:repo:acme/x", "one federates"),
                ("from", "creates", "acme/b", "iam.tf#aws_iam_access_key.three",
                 "three creates")),
        "two": (("from", "uses", "acme/a", "iam.tf#aws_iam_access_key.one", "one uses"),),
        "three": (("to", "creates", "acme/a", "iam.tf#aws_iam_access_key.one",
                   "three creates"),),
    }  # fmt: skip
    assert {e.name: e.links for e in inventory.query(db)} == expected  # 3 links, 3 answers
    monkeypatch.setattr(inventory, "_SCAN_LINKS", 0)
    assert {e.name: e.links for e in inventory.query(db)} == expected
    assert [e.links for e in inventory.query(db, repo="acme/b")] == [expected["three"]]


class _Named(NamedTuple):
    name: str
    text: str


def _answers(db: Path, **filters: object) -> list[_Named]:
    return [_Named(json.loads(a.text)["name"], a.text) for a in inventory.answers(db, **filters)]


def _person(p: PersonState) -> dict[str, object]:
    return {"reference": p.reference, "role": p.role, "email": p.email, "state": p.state}


def test_json_answers_are_json_and_the_same_from_sql_or_from_the_entries(tmp_path) -> None:
    """`nhi inventory --format json` writes the texts SQLite completes from each row's `shown`
    members: character for character what json writes of the answer (text that JSON
    escapes, non-ASCII, null dates, links from both ends), and what a row an older nhi wrote
    (no `shown`) answers through its entry (`answer_text`)."""
    db = tmp_path / "inventory.sqlite"
    odd = PersonState(reference='o\'brien "ob"\\x', role="owner", state="active", email=None)
    one = dataclasses.replace(
        item("acme/a", "one", "orphaned", BOB, odd), reach=("admin", "s3"),
        facets=(("environment", "prod\u00fcktion", "folder\tprod"), ("shape", "x", ""),
                ("resource", "arn:aws:s3:::bucket/\u2603", "policy x"),
                ("environment", "staging", "tag env"), ("changed", "2025-03-01", "git log"),
                ("duplicate_of", "iam.tf#x", "name, region")))  # fmt: skip
    link = Link(source="iam.tf#aws_iam_access_key.one", to="iam.tf#aws_iam_access_key.two",
                relation="uses", evidence='"quoted" \u00e9',
                attributes={"from_repository": "acme/a", "to_repository": "acme/a"})  # fmt: skip
    first = run(one, item("acme/a", "two", "orphaned", BOB),
                item("acme/b", "zw\u00f6lf\nline", "owned", ALICE),
                repositories=("acme/a", "acme/b"))  # fmt: skip
    inventory.record(db, dataclasses.replace(first, local_links=(link,)),
                     datetime.date(2026, 1, 5))  # fmt: skip
    # A week later "two" is owned again: resolved_at is a date, orphaned_since stays one.
    again = run(one, item("acme/a", "two", "owned", ALICE), repositories=("acme/a",))
    inventory.record(db, dataclasses.replace(again, local_links=(link,)),
                     datetime.date(2026, 1, 12))  # fmt: skip
    key = "iam.tf#aws_iam_access_key."
    none = {"environment": None, "resources": [], "changed": None, "duplicate_of": None}
    expected = [
        {"repository": "acme/a", "identity": key + "one", "kind": "aws_iam_access_key",
         "name": "one", "path": "iam.tf", "line": 3, "state": "orphaned", "rules": ["NHI101"],
         "route_to": ["carol@acme.example"], "people": [_person(BOB), _person(odd)],
         "reach": ["admin", "s3"],
         "environment": {"name": "prod\u00fcktion", "from": "folder\tprod"},
         "resources": ["arn:aws:s3:::bucket/\u2603"], "changed": "2025-03-01",
         "duplicate_of": {"identity": "iam.tf#x", "differing": ["name", "region"]},
         "first_seen": "2026-01-05", "last_seen": "2026-01-12", "orphaned_since": "2026-01-05",
         "resolved_at": None,
         "links": [{"direction": "to", "relation": "uses", "repository": "acme/a",
                    "identity": key + "two", "evidence": '"quoted" \u00e9'}]},
        {"repository": "acme/a", "identity": key + "two", "kind": "aws_iam_access_key",
         "name": "two", "path": "iam.tf", "line": 3, "state": "owned", "rules": [],
         "route_to": [], "people": [_person(ALICE)], "reach": [], **none,
         "first_seen": "2026-01-05", "last_seen": "2026-01-12", "orphaned_since": "2026-01-05",
         "resolved_at": "2026-01-12",
         "links": [{"direction": "from", "relation": "uses", "repository": "acme/a",
                    "identity": key + "one", "evidence": '"quoted" \u00e9'}]},
        {"repository": "acme/b", "identity": key + "zw\u00f6lf\nline",
         "kind": "aws_iam_access_key", "name": "zw\u00f6lf\nline", "path": "iam.tf", "line": 10,
         "state": "owned", "rules": [], "route_to": [], "people": [_person(ALICE)], "reach": [],
         **none, "first_seen": "2026-01-05", "last_seen": "2026-01-05", "orphaned_since": None,
         "resolved_at": None, "links": []},
    ]  # fmt: skip
    texts = [a.text for a in inventory.answers(db)]
    assert texts == [json.dumps(answer, ensure_ascii=False) for answer in expected]
    assert [answer_text(e) for e in inventory.query(db)] == texts  # a row an older nhi wrote


TEXT = st.text(alphabet=st.sampled_from(list('ab"\\/\n\t\x00\x1f\x7f\u00e9\u2028\U0001f600, ')),
               max_size=6)  # fmt: skip
FACET = st.tuples(st.sampled_from(["environment", "resource", "changed", "duplicate_of", "x"]),
                  TEXT, TEXT)  # fmt: skip


@given(name=TEXT, path=TEXT, rules=st.lists(TEXT, max_size=2), email=st.none() | TEXT,
       facets=st.lists(FACET, max_size=5), line=st.integers(1, 10**6))  # fmt: skip
def test_shown_text_is_what_json_writes(name, path, rules, email, facets, line) -> None:
    """The members an answer keeps are written by hand (#25, 3x faster than building and
    encoding a dict): for any text, what `json.dumps` writes of them, ensure_ascii off."""
    r = dataclasses.replace(item("acme/" + name, name, "owned"), path=path, line=line,
                            rules=tuple(rules), route_to=(name,), reach=tuple(rules),
                            facets=tuple(facets))  # fmt: skip
    people = [(name, "owner", email, "active")]
    first = {f: next(((v, e) for g, v, e in facets if g == f), None)
             for f in ("environment", "changed", "duplicate_of")}  # fmt: skip
    env, changed, dup = first["environment"], first["changed"], first["duplicate_of"]
    expected = {
        "repository": r.repository, "identity": r.identity, "kind": r.kind, "name": name,
        "path": path, "line": line, "state": "owned", "rules": rules, "route_to": [name],
        "people": [{"reference": name, "role": "owner", "email": email, "state": "active"}],
        "reach": rules, "environment": {"name": env[0], "from": env[1]} if env else None,
        "resources": [v for g, v, _ in facets if g == "resource"],
        "changed": changed[0] if changed else None,
        "duplicate_of": {"identity": dup[0], "differing": dup[1].split(", ")} if dup else None,
    }  # fmt: skip
    assert shown_text(r, people) == json.dumps(expected, ensure_ascii=False)[1:-1]


def _killed_midway(db: Path) -> None:
    """Leave `db` as a run killed after SQLite wrote pages of its transaction leaves it."""
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA cache_size = 1")  # spill every page: the journal is hot at once
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM identities")
    writer.execute("CREATE TABLE filler (x)")
    writer.executemany("INSERT INTO filler VALUES (?)", (("x" * 500,) for _ in range(2000)))
    journal = db.with_name(db.name + "-journal")
    saved, spilled = journal.read_bytes(), db.read_bytes()
    writer.close()  # rolls back: put back what a killed process would have left
    journal.write_bytes(saved)
    db.write_bytes(spilled)


def test_sqlite_quotes_text_as_the_json_encoder_does() -> None:
    """`inventory.answers` writes columns with SQLite's json_quote and the rest with json's
    encoder: for every character (a sample above the BMP), the same text."""
    from scanner.reporters.json import encoder

    encode = encoder()
    chars = [chr(c) for c in (*range(0xD800), *range(0xE000, 0x10000, 7), 0x1F600, 0x10FFFF)]
    with sqlite3.connect(":memory:") as db:
        quoted = [db.execute("SELECT json_quote(?)", (f"a{c}b",)).fetchone()[0] for c in chars]
    db.close()
    assert [q for q, c in zip(quoted, chars, strict=True) if q != encode(f"a{c}b")] == []


def test_a_run_killed_with_its_journal_spilled_still_answers(tmp_path: Path) -> None:
    """A killed run's hot journal is rolled back by the next reader (a `mode=ro` reader
    cannot: "attempt to write a readonly database"), which answers with the last run's
    state: `nhi inventory`, and the decisions the next `nhi aggregate` reads first."""
    db = tmp_path / "inventory.sqlite"
    inventory.record(db, run(item("acme/a", "one", "owned", ALICE), repositories=("acme/a",)),
                     datetime.date(2026, 1, 5))  # fmt: skip
    _killed_midway(db)
    assert [(e.repository, e.name) for e in inventory.query(db)] == [("acme/a", "one")]
    _killed_midway(db)
    assert changes.stored(db) == Stored()
    assert [(a.repository, a.state) for a in inventory.answers(db)] == [("acme/a", "owned")]


def test_a_file_that_is_not_an_inventory_exits_3(tmp_path: Path, capsys) -> None:
    (tmp_path / "x.sqlite").write_text("not a database, just text\n" * 100)
    assert main(["inventory", "--db", str(tmp_path / "x.sqlite")]) == 3
    assert capsys.readouterr().err == (
        f"nhi: error: {tmp_path / 'x.sqlite'}: not an inventory (file is not a database)\n"
    )
    assert main(["inventory", "--db", str(tmp_path / "none.sqlite")]) == 3
    assert capsys.readouterr().err == (
        f"nhi: error: {tmp_path / 'none.sqlite'}: no inventory here; `nhi aggregate --db "
        f"{tmp_path / 'none.sqlite'}` makes one\n"
    )


def test_inventory_queries(tmp_path: Path, capsys) -> None:
    db = tmp_path / "inventory.sqlite"
    inventory.record(
        db,
        run(
            item("acme/a", "one", "owned", ALICE),
            dataclasses.replace(item("acme/a", "two", "orphaned", BOB), reach=("s3",)),
            dataclasses.replace(
                item("acme/b", "three", "orphaned", BOB, ALICE), reach=("admin", "iam")
            ),
            repositories=("acme/a", "acme/b"),
        ),
        datetime.date(2026, 1, 5),
    )

    def names(*args: str) -> list[tuple[str, str]]:
        assert main(["inventory", "--db", str(db), "--format", "json", *args]) == 0
        return [(e["repository"], e["name"]) for e in json.loads(capsys.readouterr().out)]

    assert names("--person", "alice@acme.example") == [("acme/a", "one"), ("acme/b", "three")]
    assert names("--person", "@alice-a") == [("acme/a", "one"), ("acme/b", "three")]
    assert names("--orphaned", "--repo", "acme/a", "--kind", "aws_iam_access_key") == [
        ("acme/a", "two")
    ]
    assert names("--kind", "aws_iam_user") == []
    assert names("--reach", "admin") == [("acme/b", "three")]
    assert names("--reach", "IAM") == [("acme/b", "three")]
    assert names("--reach", "s3", "--person", "bob@acme.example") == [("acme/a", "two")]
    assert names("--reach", "s") == []  # a whole service name, never a part of one
    assert main(["inventory", "--db", str(db), "--orphaned", "--repo", "acme/b"]) == 0
    assert capsys.readouterr().out == (
        "acme/b: iam.tf:5: aws_iam_access_key three (orphaned since 2026-01-05; first seen "
        "2026-01-05, last seen 2026-01-05)\n"
        "    people: bob@acme.example (provisioner, departed); alice@acme.example (owner, active)\n"
        "    reach: admin, iam\n"
        "    decide: carol@acme.example\n"
        "1 identity\n"
    )
    assert main(["inventory", "--db", str(db), "--repo", "acme/b", "--format", "csv"]) == 0
    assert capsys.readouterr().out == (
        "repository,identity,kind,name,path,line,state,rules,people,route_to,first_seen,"
        "last_seen,orphaned_since,resolved_at,reach\n"
        "acme/b,iam.tf#aws_iam_access_key.three,aws_iam_access_key,three,iam.tf,5,orphaned,"
        'NHI101,"bob@acme.example (provisioner, departed); alice@acme.example (owner, active)",'
        "carol@acme.example,2026-01-05,2026-01-05,2026-01-05,,admin iam\n"
    )


# One run of the aggregator's inventory write, sized so that the write takes a while: run N
# declares 6,000 + 500 N identities, every third one orphaned.
RUN = """
import datetime, sys
from pathlib import Path
from scanner.aggregate import inventory
from scanner.aggregate.resolve import Aggregate, Resolved

number = int(sys.argv[2])
items = tuple(
    Resolved(repository="acme/big", identity=f"k#{n}", kind="aws_iam_access_key", name=f"k{n}",
             path="k.tf", line=n, state="orphaned" if (n + number) % 3 == 0 else "owned",
             rules=("NHI101",) if (n + number) % 3 == 0 else (), people=(), route_to=(), why="")
    for n in range(6000 + 500 * number)
)
result = Aggregate(repositories=("acme/big",), identities=items,
                   orphans=tuple(i for i in items if i.state == "orphaned"), rejected=())
print("writing", flush=True)
inventory.record(Path(sys.argv[1]), result, datetime.date(2026, 1, 1) + datetime.timedelta(number))
print("done", flush=True)
"""


def test_killed_at_random_points_the_inventory_always_holds_a_complete_run(tmp_path) -> None:
    import random

    db = tmp_path / "inventory.sqlite"
    rng = random.Random(20261123)

    def start(number: int) -> subprocess.Popen[str]:
        child = subprocess.Popen([sys.executable, "-c", RUN, str(db), str(number)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
        return child

    first = start(0)
    began = time.perf_counter()
    assert first.communicate(timeout=60)[0] == "done\n"
    write = time.perf_counter() - began  # one write, from its start to its commit
    completed = [0]
    for number in range(1, 13):
        child = start(number)
        if number % 4:  # every fourth run is left to finish: later runs build on it
            time.sleep(rng.uniform(0, write))  # a random point of a write at least this long
            child.kill()
        out, _ = child.communicate(timeout=60)
        with sqlite3.connect(db) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            runs = check.execute("SELECT id, as_of, identities FROM runs ORDER BY id").fetchall()
        # A kill can land after the commit and before "done" is printed: the run then counts
        # as completed. A run that printed "done" must have committed.
        day = (datetime.date(2026, 1, 1) + datetime.timedelta(number)).isoformat()
        if out == "done\n" or runs[-1][1] == day:
            completed.append(number)
        with sqlite3.connect(db) as check:
            last_id, last_day, count = runs[-1]
            kept = check.execute(
                "SELECT count(*), min(last_seen), max(last_seen) FROM identities "
                "WHERE last_run = ?",
                (last_id,),
            ).fetchone()
        # Either the run committed whole or it left no trace: the newest run is complete.
        assert [day for _, day, _ in runs] == [
            (datetime.date(2026, 1, 1) + datetime.timedelta(n)).isoformat() for n in completed
        ]
        assert kept == (count, last_day, last_day)
        assert count == 6000 + 500 * completed[-1]
    assert {0, 4, 8, 12} <= set(completed) and len(completed) < 13  # some kills hit a write
