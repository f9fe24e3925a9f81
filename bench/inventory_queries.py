"""Time `nhi inventory` queries on a generated inventory of 500,000 identities (#25).

    python bench/inventory_queries.py [--identities 500000] [--db bench/out/inventory.sqlite]

The inventory is written once through `inventory.record` (the aggregator's own write), with
deterministic data: 500 repositories, 2,000 people, one identity in ten orphaned, reach,
actions, resources, environments and last-change days spread over the identities. Each query
is run three times and the best times printed: `find`, the indexed question (which identities:
`scanner.query.conditions` and one SELECT); `total`, `inventory.query` as `nhi inventory
--format text` calls it (the identities with their people, links and facets as Python values,
before rendering); `json`, the whole answer as `nhi inventory --format json` writes it (the
texts `inventory.answers` completes in SQL, into a null sink); `nhi`, the whole `nhi inventory
--format json` process writing to /dev/null. The goal: each under one second. A file written
by an older schema is built again.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from scanner import collector
from scanner.aggregate import inventory
from scanner.aggregate.inventory_output import render_json
from scanner.aggregate.resolve import Aggregate, PersonState, Resolved
from scanner.query import conditions

ROOT = Path(__file__).parents[1]

KINDS = ("aws_iam_role", "aws_iam_user", "aws_iam_access_key", "google_service_account",
         "azuread_service_principal", "github_actions_secret", "mcp_credential")  # fmt: skip
REACH = (("rds", "rds:*"), ("rds-data", "rds-data:executestatement"), ("s3", "s3:get*"),
         ("dynamodb", "dynamodb:*"), ("admin", ""), ("kms", "kms:decrypt"), ("lambda", "lambda:*"),
         ("sqs", "sqs:sendmessage"), ("iam", "iam:passrole"), ("ec2", "ec2:describe*"))  # fmt: skip
ENVIRONMENTS = ("production", "staging", "development", "")
QUERIES: tuple[dict[str, object], ...] = (
    {"reach": "rds", "resource": "customer-data", "unchanged_for": 30},  # the seed's question
    {"reach": "rds"},
    {"reach": "rds:DeleteDBCluster", "environment": "prod"},
    {"reach": "admin", "orphaned": True},
    {"owner": "person17@acme.example"},
    {"provisioner": "person1234@acme.example", "unchanged_for": 365},
    {"decider": "manager10@acme.example"},
    {"person": "person42@acme.example", "reach": "s3"},
    {"kind": "aws_iam_access_key", "repo": "acme/repo-123"},
    {"environment": "staging", "reach": "kms", "orphaned": True},
)


def identities(count: int) -> list[Resolved]:
    rng = random.Random(25)
    found = []
    start = datetime.date(2024, 1, 1)
    for n in range(count):
        repository = f"acme/repo-{n % 500}"
        orphaned = n % 10 == 0
        label, action = REACH[rng.randrange(len(REACH))]
        provisioner = f"person{rng.randrange(2000)}@acme.example"
        owner = f"person{rng.randrange(2000)}@acme.example"
        env = ENVIRONMENTS[rng.randrange(len(ENVIRONMENTS))]
        changed = (start + datetime.timedelta(days=rng.randrange(1000))).isoformat()
        facets = [("changed", changed, "")]
        facets += [("action", action, "")] if action else []
        facets += [("environment", env, "folder x")] if env else []
        if label == "rds" and n % 7 == 0:
            facets.append(("resource", f"arn:aws:rds:us-east-1:1:cluster:customer-data-{n}", ""))
        found.append(Resolved(
            repository=repository, identity=f"iam.tf#{KINDS[n % len(KINDS)]}.i{n}",
            kind=KINDS[n % len(KINDS)], name=f"i{n}", path="iam.tf", line=n % 997 + 1,
            state="orphaned" if orphaned else "owned", rules=("NHI101",) if orphaned else (),
            people=(PersonState(reference=provisioner, role="provisioner", state="active",
                                email=provisioner),
                    PersonState(reference=owner, role="owner", state="active", email=owner)),
            route_to=(f"manager{n % 300}@acme.example",) if orphaned else (),
            why="", reach=(label,), facets=tuple(facets),
        ))  # fmt: skip
    found.sort(key=lambda r: (r.repository, r.path, r.line, r.identity))
    return found


def find(db: Path, filters: dict[str, object]) -> int:
    """Which identities answer: the indexed half of `inventory.search`."""
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as con:
        day = datetime.date(2026, 11, 1)
        where, args = conditions(filters, day, lambda sql, a: con.execute(sql, a).fetchone()[0])
        sql = f"SELECT repository, identity FROM identities i WHERE {where} ORDER BY 1, path, 2"
        return len(con.execute(sql, args).fetchall())


def version(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("PRAGMA user_version").fetchone()[0])


def build(db: Path, count: int) -> float:
    items = identities(count)
    orphans = tuple(r for r in items if r.state == "orphaned")
    repositories = tuple(sorted({r.repository for r in items}))
    result = Aggregate(repositories=repositories, identities=tuple(items), orphans=orphans,
                       rejected=())  # fmt: skip
    started = time.perf_counter()
    inventory.record(db, result, datetime.date(2026, 11, 1))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=500_000)
    parser.add_argument("--db", type=Path, default=Path("bench/out/inventory.sqlite"))
    args = parser.parse_args()
    if args.db.exists() and version(args.db) != inventory.SCHEMA_VERSION:
        args.db.unlink()
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        print(f"wrote {args.identities:,} identities in {build(args.db, args.identities):.1f} s")
    print(f"{'query':<58} {'answers':>8} {'find s':>7} {'total s':>7} {'json s':>7} "
          f"{'nhi s':>7}")  # fmt: skip
    for filters in QUERIES:
        finds, totals, renders, processes, answers = [], [], [], [], 0
        options = [f"--{k.replace('_', '-')}" + ("" if v is True else f" {v}")
                   for k, v in filters.items()]  # fmt: skip
        command = [sys.executable, "-m", "scanner", "inventory", "--db", str(args.db),
                   "--format", "json", *" ".join(options).split()]  # fmt: skip
        for _ in range(3):
            with collector.paused():  # as `nhi inventory` asks
                started = time.perf_counter()
                find(args.db, filters)
                finds.append(time.perf_counter() - started)
                started = time.perf_counter()
                answers = len(inventory.query(args.db, filters))
                totals.append(time.perf_counter() - started)
                started = time.perf_counter()
                for _piece in render_json(inventory.answers(args.db, filters)):
                    pass
                renders.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
            processes.append(time.perf_counter() - started)
        print(f"{' '.join(options):<58} {answers:>8} {min(finds):>7.3f} {min(totals):>7.3f} "
              f"{min(renders):>7.3f} {min(processes):>7.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
