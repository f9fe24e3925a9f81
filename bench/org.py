"""The organisation-wide benchmark: `nhi aggregate` over many generated reports and a large roster.

    python bench/org.py [--reports 5000] [--identities 100] [--people 50000] [--runs 1]

Generates (deterministically, once per shape) REPORTS JSON reports of IDENTITIES identities each,
shaped exactly like `nhi scan --format json` output, a plain CSV roster of PEOPLE people with a
ten-wide management tree (3% departed, 1% suspended) and a teams file, then times whole
`nhi aggregate` processes: the first run into an empty inventory, and a second run a week later
into the same inventory (the weekly job's usual case). Prints wall time and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from pathlib import Path

KINDS = (
    ("terraform", "aws_iam_user", "identity", "iam/users.tf"),
    ("terraform", "aws_iam_access_key", "credential", "iam/keys.tf"),
    ("terraform", "aws_iam_role", "identity", "iam/roles.tf"),
    ("terraform", "google_service_account", "identity", "gcp/sa.tf"),
    ("workflows", "workflow_secret", "credential", ".github/workflows/deploy.yml"),
    ("dotenv", "dotenv_credential", "credential", ".env.example"),
)


def person(index: int) -> str:
    return f"p{index:05d}@corp.example"


def roster(people: int, rng: random.Random) -> str:
    lines = ["email,status,manager,github_login,name,aliases"]
    for index in range(people):
        roll = rng.random()
        status = "departed" if roll < 0.03 else "suspended" if roll < 0.04 else "active"
        manager = person(index // 10) if index else ""
        lines.append(f"{person(index)},{status},{manager},login{index:05d},Person {index},")
    return "\n".join(lines) + "\n"


def teams(count: int, people: int, rng: random.Random) -> dict[str, list[str]]:
    return {
        f"@corp/team-{t:03d}": [f"login{rng.randrange(people):05d}" for _ in range(5)]
        for t in range(count)
    }


def identity(repo: int, n: int, rng: random.Random, people: int, team_count: int) -> dict:
    scanner, kind, category, path = KINDS[n % len(KINDS)]
    who = person(rng.randrange(people)) if rng.random() < 0.97 else f"contractor{n}@vendor.example"
    author = {
        "name": "Someone",
        "email": who,
        "commit": f"{repo:08x}{n:032x}",
        "date": "2025-06-01T09:00:00+00:00",
    }
    owned = rng.random()
    owners = (
        [f"@corp/team-{rng.randrange(team_count):03d}"]
        if owned < 0.6
        else [f"@login{rng.randrange(people):05d}"]
        if owned < 0.9
        else []
    )
    name = f"{kind.split('_')[-1]}_{n:04d}"
    return {
        "id": f"{path}#{kind}.{name}",
        "scanner": scanner,
        "kind": kind,
        "category": category,
        "name": name,
        "path": path,
        "line": 1 + 4 * n,
        "end_line": 3 + 4 * n,
        "attributes": {"provider": "aws"},
        "provisioner": {
            **author,
            "uncommitted": False,
            "confidence": "high",
            "evidence": [f"introduced in {author['commit'][:7]}"],
            "co_authors": [],
        },
        "owners": owners,
        "owners_source": "CODEOWNERS:1" if owners else None,
        "last_modified_by": {**author, "lines": 3},
        "contributors": [{**author, "lines": 3}],
        "declared_owners": [],
        "consumers": [],
    }


def report(repo: int, identities: int, rng: random.Random, people: int, team_count: int) -> dict:
    found = [identity(repo, n, rng, people, team_count) for n in range(identities)]
    findings = [
        {
            "rule": "NHI001",
            "severity": "high",
            "identity": item["id"],
            "path": item["path"],
            "line": item["line"],
            "message": f"{item['kind']} {item['name']} has no accountable owner",
            "status": "open",
            "waiver": None,
        }
        for item in found
        if not item["owners"]
    ]
    return {
        "schema_version": 1,
        "tool": {"name": "nhi-scanner", "version": "0.1.0"},
        "repository": {"name": f"corp/repo-{repo:05d}", "commit": f"{repo:040x}", "shallow": False},
        "identities": found,
        "modules": [],
        "findings": findings,
        "errors": [],
        "waivers": [],
    }


def generate(folder: Path, reports: int, identities: int, people: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (folder / "reports").mkdir(parents=True)
    (folder / "roster.csv").write_text(roster(people, rng))
    team_count = max(1, people // 100)
    (folder / "teams.json").write_text(json.dumps(teams(team_count, people, rng)))
    for repo in range(reports):
        document = report(repo, identities, rng, people, team_count)
        (folder / "reports" / f"repo-{repo:05d}.json").write_text(json.dumps(document))


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from run import NHI, measure  # run.py imports this module's generate()

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--identities", type=int, default=100)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    folder = args.work / f"org-{args.reports}-{args.identities}-{args.people}"
    if not folder.exists():
        generate(folder, args.reports, args.identities, args.people)
    db = folder / "inventory.sqlite"

    def aggregate(day: str) -> list[str]:
        inputs = ["reports", "--roster", "roster.csv", "--teams", "teams.json", "--db", str(db)]
        return [
            *NHI,
            "aggregate",
            *inputs,
            "--as-of",
            day,
            "--format",
            "json",
            "--output",
            "out.json",
        ]

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as run.py
    rows = []
    for label, day in (
        ("first run, empty inventory", "2026-11-02"),
        ("a week later", "2026-11-09"),
    ):
        samples = []
        for _ in range(args.runs):
            if label.startswith("first"):
                db.unlink(missing_ok=True)
            samples.append(measure(aggregate(day), folder, env))
        rows.append((label, statistics.median(s[0] for s in samples), max(s[1] for s in samples),
                     samples[-1][2]))  # fmt: skip
    summary = json.loads((folder / "out.json").read_text())["summary"]
    print(
        f"{args.reports} reports, {args.reports * args.identities} identities, "
        f"{args.people} people in the roster; {summary['orphans']} orphans\n"
    )
    print(f"| {'aggregate':<28} | {'seconds':>8} | {'peak MiB':>9} | exit |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 11}|------|")
    for label, seconds, peak, code in rows:
        print(f"| {label:<28} | {seconds:>8.1f} | {peak:>9.1f} | {code:>4} |")


if __name__ == "__main__":
    main()
