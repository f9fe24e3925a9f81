"""The observed-export benchmark (#26): a 100,000-row AWS credential report joined with
500,000 declared identities by `nhi aggregate --observed`.

    python bench/observed.py [--reports 5000] [--identities 100] [--rows 100000]

Generates (deterministically, once per shape) the reports of bench/org.py with each IAM user
and access key naming its user literally, and a credential report whose first rows are those
users (every other key never used) and whose remaining rows are users no repository declares.
Times a whole `nhi aggregate` process with and without the export, recorded into an empty
inventory, and prints wall time and peak memory; the target is under 30 s and 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

from org import report, roster, teams  # bench/org.py: the same organisation

COLUMNS = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


def named(document: dict, repo: int) -> list[str]:
    """Give every IAM user a literal name and every key its user's; the users' names."""
    users = []
    for n, item in enumerate(document["identities"]):
        name = f"svc-{repo:05d}-{n:04d}"
        if item["kind"] == "aws_iam_user":
            item["attributes"] = {**item["attributes"], "name": name}
            users.append(name)
        elif item["kind"] == "aws_iam_access_key":  # the user just before it (bench/org KINDS)
            item["attributes"] = {**item["attributes"], "user": f"svc-{repo:05d}-{n - 1:04d}"}
    return users


def row(user: str, used: bool) -> str:
    last = "2026-10-30T08:00:00+00:00,eu-west-1,s3" if used else "N/A,N/A,N/A"
    return (f"{user},arn:aws:iam::111122223333:user/{user},2025-01-10T08:00:00+00:00,false,N/A,"
            f"N/A,N/A,false,true,2025-01-10T08:01:00+00:00,{last},false,N/A,N/A,N/A,N/A,false,"
            "N/A,false,N/A")  # fmt: skip


def generate(folder: Path, reports: int, identities: int, rows: int, people: int) -> None:
    rng = random.Random(7)
    (folder / "reports").mkdir(parents=True)
    (folder / "roster.csv").write_text(roster(people, rng))
    team_count = max(1, people // 100)
    (folder / "teams.json").write_text(json.dumps(teams(team_count, people, rng)))
    declared: list[str] = []
    for repo in range(reports):
        document = report(repo, identities, rng, people, team_count)
        declared += named(document, repo)
        (folder / "reports" / f"repo-{repo:05d}.json").write_text(json.dumps(document))
    users = declared[: rows * 4 // 5]
    users += [f"hand-made-{n:06d}" for n in range(rows - len(users))]
    lines = [COLUMNS, *(row(user, n % 2 == 0) for n, user in enumerate(users))]
    (folder / "credential-report.csv").write_text("\n".join(lines) + "\n")


def stage(folder: Path) -> None:
    """In one process: read and resolve the reports (not timed), then time the observed stage
    alone (parse, join, judge, route) and the memory it adds."""
    import datetime
    import resource
    import time

    from scanner.aggregate import inputs
    from scanner.observed.stage import observe, prepare

    prepared, _ = prepare([folder / "credential-report.csv"])
    collector = prepared.collector
    day = datetime.date(2026, 11, 2)
    result, people, _ = inputs.read_and_resolve([folder / "reports"], [folder / "roster.csv"],
                                                teams=folder / "teams.json", as_of=day,
                                                on_report=collector.add)  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    observed = observe(result, people, prepared, day)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert observed.observed is not None
    print(
        f"observed stage alone: {seconds:.1f} s, {len(collector.declared)} declared names, "
        f"{len(observed.observed.seen)} pairs; peak RSS {before:.0f} -> {after:.0f} MiB"
    )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from run import NHI, measure

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--identities", type=int, default=100)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--work", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--stage", action="store_true", help="time the observed stage alone")
    args = parser.parse_args()
    folder = args.work / f"observed-{args.reports}-{args.identities}-{args.rows}"
    if not folder.exists():
        generate(folder, args.reports, args.identities, args.rows, args.people)
    if args.stage:
        return stage(folder)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base = [*NHI, "aggregate", "reports", "--roster", "roster.csv", "--teams", "teams.json",
            "--as-of", "2026-11-02", "--format", "json", "--output", "out.json"]  # fmt: skip
    results = []
    for label, extra in (("without --observed", []),
                         ("with the credential report", ["--observed",
                                                         "credential-report.csv"])):  # fmt: skip
        (folder / "inventory.sqlite").unlink(missing_ok=True)
        seconds, peak, code = measure([*base, *extra, "--db", "inventory.sqlite"], folder, env)
        results.append((label, seconds, peak, code))
    document = json.loads((folder / "out.json").read_text())
    findings = sum(1 for s in document.get("observed", ()) if s["rules"])
    print(f"{args.reports * args.identities} identities, {args.rows}-row credential report; "
          f"{findings} observed findings\n")  # fmt: skip
    print(f"| {'aggregate':<28} | {'seconds':>8} | {'peak MiB':>9} | exit |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 11}|------|")
    for label, seconds, peak, code in results:
        print(f"| {label:<28} | {seconds:>8.1f} | {peak:>9.1f} | {code:>4} |")


if __name__ == "__main__":
    main()
