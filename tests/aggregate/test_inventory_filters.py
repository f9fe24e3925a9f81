"""`nhi inventory` filters (#25): each alone, combined, and the inventory's facets migrated
from an older schema."""

from __future__ import annotations

import dataclasses
import datetime
import json
import sqlite3
from pathlib import Path

import pytest

from scanner.aggregate import inventory
from scanner.aggregate.resolve import PersonState, Resolved
from scanner.cli import main
from scanner.query import FILTERS
from tests.aggregate.test_inventory import ALICE, BOB, item, run

DANA = PersonState(reference="dana@acme.example", role="owner", state="active",
                   email="dana@acme.example")  # fmt: skip
RDS = "arn:aws:rds:us-east-1:210987654321:cluster:customer-data"


def entries() -> tuple[Resolved, ...]:
    """Four identities: a database role in production, a data-API user, an admin key, and an
    S3 reader in staging, each with its own people, reach and age."""
    db_role = dataclasses.replace(
        item("acme/infra", "db", "orphaned", BOB, DANA),
        kind="aws_iam_role",
        reach=("rds", "ec2"),
        facets=(
            ("action", "rds:*", ""),
            ("resource", RDS, ""),
            ("environment", "production", "folder prod"),
            ("changed", "2026-08-01", ""),
        ),
    )
    data_api = dataclasses.replace(
        item("acme/infra", "data_api", "owned", ALICE),
        reach=("rds-data",),
        facets=(
            ("action", "rds-data:executestatement", ""),
            ("environment", "production", "tag environment=prod"),
            ("changed", "2026-10-20", ""),
        ),
    )
    admin = dataclasses.replace(
        item("acme/app", "admin", "orphaned", BOB),
        reach=("admin",),
        facets=(("changed", "2025-01-01", ""),),
    )
    reader = dataclasses.replace(
        item("acme/app", "reader", "owned", DANA),
        reach=("s3",),
        facets=(
            ("action", "s3:get*", ""),
            ("environment", "staging", "module staging"),
            ("changed", "2026-10-30", ""),
        ),
    )
    return db_role, data_api, admin, reader  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.sqlite"
    inventory.record(path, run(*entries(), repositories=("acme/app", "acme/infra")),
                     datetime.date(2026, 11, 1))  # fmt: skip
    return path


@pytest.fixture
def names(db: Path, capsys):
    def found(*args: str) -> list[str]:
        assert main(["inventory", "--db", str(db), "--format", "json", *args]) == 0
        return [e["name"] for e in json.loads(capsys.readouterr().out)]

    return found


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--reach", "rds"), ["data_api", "db"]),  # rds is also rds-data
        (("--reach", "rds-db"), ["data_api", "db"]),
        (("--reach", "rds:DeleteDBCluster"), ["db"]),  # rds:* covers it
        (("--reach", "rds-data:ExecuteStatement"), ["data_api"]),
        (("--reach", "s3:GetObject"), ["reader"]),  # s3:get* covers it
        (("--reach", "s3:PutObject"), []),
        (("--reach", "admin"), ["admin"]),
        (("--reach", "database"), ["data_api", "db"]),
        (("--environment", "prod"), ["data_api", "db"]),
        (("--environment", "staging"), ["reader"]),
        (("--unchanged-for", "30"), ["admin", "db"]),  # from the last run, 2026-11-01
        (("--unchanged-for", "0"), ["admin", "data_api", "db", "reader"]),
        (("--decider", "Carol@acme.example"), ["admin", "db"]),
        (("--owner", "dana@acme.example"), ["reader", "db"]),
        (("--owner", "@alice-a"), ["data_api"]),
        (("--provisioner", "bob@acme.example"), ["admin", "db"]),
        (("--person", "bob@acme.example"), ["admin", "db"]),
        (("--orphaned",), ["admin", "db"]),
        (("--kind", "aws_iam_role"), ["db"]),
        (("--repo", "acme/app"), ["admin", "reader"]),
        (("--resource", "customer-data"), ["db"]),
    ],
)
def test_each_filter_alone(names, args: tuple[str, ...], expected: list[str]) -> None:
    assert sorted(names(*args)) == sorted(expected)


def test_filters_combine(names) -> None:
    # The seed's question, declared half: who owns what can reach the customer-data RDS
    # cluster and has not changed in 30 days.
    assert names("--reach", "rds", "--resource", "customer-data", "--unchanged-for", "30") == ["db"]
    assert names("--reach", "rds", "--environment", "production", "--orphaned") == ["db"]
    assert names("--owner", "dana@acme.example", "--environment", "staging") == ["reader"]
    assert names("--decider", "carol@acme.example", "--repo", "acme/app") == ["admin"]
    assert names("--provisioner", "bob@acme.example", "--kind", "aws_iam_access_key") == ["admin"]
    assert names("--reach", "s3", "--orphaned") == []


def test_every_filter_is_an_option(db: Path, capsys) -> None:
    assert main(["inventory", "--help"]) == 0
    shown = capsys.readouterr().out
    assert all(f"--{name.replace('_', '-')}" in shown for name in FILTERS)


def test_the_environment_and_its_evidence_are_shown(db: Path, capsys) -> None:
    assert main(["inventory", "--db", str(db), "--kind", "aws_iam_role"]) == 0
    assert capsys.readouterr().out == (
        "acme/infra: iam.tf:2: aws_iam_role db (orphaned since 2026-11-01; first seen "
        "2026-11-01, last seen 2026-11-01)\n"
        "    people: bob@acme.example (provisioner, departed); dana@acme.example (owner, active)\n"
        "    reach: rds, ec2\n"
        "    environment: production (folder prod)\n"
        "    decide: carol@acme.example\n"
        "1 identities\n"
    )
    assert main(["inventory", "--db", str(db), "--kind", "aws_iam_role", "--format", "json"]) == 0
    entry = json.loads(capsys.readouterr().out)[0]
    assert (entry["environment"], entry["resources"], entry["changed"]) == (
        {"name": "production", "from": "folder prod"},
        [RDS],
        "2026-08-01",
    )


def test_a_version_4_inventory_keeps_its_reach_and_deciders(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as old:
        for step in inventory.MIGRATIONS[:4]:
            for statement in step:
                old.execute(statement)
        old.execute("PRAGMA user_version = 4")
        old.execute(
            "INSERT INTO identities VALUES ('acme/a', 'iam.tf#aws_iam_user.ci', 'aws_iam_user', "
            "'ci', 'iam.tf', 1, 'orphaned', '[]', '[\"Carol@acme.example\"]', '2026-01-01', "
            "'2026-01-01', 1, NULL, NULL, NULL, NULL, NULL, 'admin s3 rds-db')"
        )
        old.execute("INSERT INTO runs VALUES (1, '2026-01-01', 1, 1, 1)")
    old.close()
    inventory.record(path, run(repositories=()), datetime.date(2026, 1, 2))  # migrates
    assert [e.name for e in inventory.query(path, reach="rds")] == ["ci"]
    assert [e.name for e in inventory.query(path, decider="carol@acme.example")] == ["ci"]
    assert [e.name for e in inventory.query(path, reach="s3", decider="x@y")] == []
