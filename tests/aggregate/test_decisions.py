"""Decisions files (#24): the review sheet filled in and given back, one clear message per bad
row (the other rows still count), and a bad file as a whole is one message and exit 3."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from scanner.aggregate.decisions import parse_csv, parse_yaml
from tests.aggregate.test_review_loop import GitRepo, aggregate, ident, org, scan

__all__ = ["org"]  # the fixture


def sheet(org: Path, capsys) -> list[list[str]]:
    scan(org)
    code, out = aggregate(org, capsys, "2026-11-01", fmt="csv")
    assert code == 1
    return list(csv.reader(io.StringIO(out)))


def test_the_review_sheet_filled_in_is_a_decisions_file(org: Path, capsys) -> None:
    rows = sheet(org, capsys)
    header = rows[0]
    assert header[-4:] == ["decision", "reassign_to", "decided_by", "decided_on"]
    filled = {
        ident("keep"): ["keep", "", "carol@acme.example", "2026-11-02"],
        # a team is written '@acme/platform (CSV injection); the quote is the sheet's, not ours
        ident("move"): ["reassign", "'@acme/platform", "'@carolc", "2026-11-02"],
        ident("drop"): ["revoke", "", "carol@acme.example", "2026-11-02"],
    }
    back = io.StringIO()
    writer = csv.writer(back, lineterminator="\n")
    writer.writerow(header)
    for row in rows[1:]:
        writer.writerow(row[:-4] + filled.get(row[2], ["", "", "", ""]))
    (org / "sheet.csv").write_text(back.getvalue())
    code, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "sheet.csv"))
    assert code == 1  # the fourth key is still waiting
    result = json.loads(out)
    assert [(o["identity"], o["route_to"]) for o in result["orphans"]] == [
        (ident("adopt"), ["carol@acme.example"])
    ]
    assert [(d["identity"], d["decision"], d["reassign_to"], d["decided_by"])
            for d in result["review"]["decisions"]] == [
        (ident("drop"), "revoke", None, "carol@acme.example"),
        (ident("keep"), "keep", None, "carol@acme.example"),
        (ident("move"), "reassign", "@acme/platform", "@carolc"),
    ]  # fmt: skip
    # The sheet of this run carries the decisions in force: given back, it changes nothing.
    _, again = aggregate(org, capsys, "2026-11-03", fmt="csv")
    rows = list(csv.reader(io.StringIO(again)))
    assert [(r[2], r[7], *r[-4:]) for r in rows[1:]] == [
        (ident("keep"), "kept", "keep", "", "carol@acme.example", "2026-11-02"),
        (ident("move"), "reassigned", "reassign", "'@acme/platform", "'@carolc", "2026-11-02"),
        (ident("adopt"), "orphaned", "", "", "", ""),
        (ident("drop"), "revoking", "revoke", "", "carol@acme.example", "2026-11-02"),
    ]
    (org / "again.csv").write_text(again)
    code, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "again.csv"))
    assert json.loads(out)["review"]["problems"] == []
    assert json.loads(out)["review"]["new"] == []


def entry(
    name: str,
    decision: str = "keep",
    by: str = "carol@acme.example",
    on: str = "2026-11-02",
    more: str = "",
    repository: str = "acme/infra",
) -> str:
    """One row of a YAML decisions file, on two lines."""
    return (f'  - {{repository: {repository}, identity: "{ident(name)}", decision: {decision},\n'
            f"     decided_by: {by}, decided_on: {on}{more}}}\n")  # fmt: skip


BAD = "".join([
    "decisions:\n",
    entry("keep"),
    entry("nope"),
    entry("move", by="mallory@acme.example"),
    entry("move", on="2026-11-31"),
    entry("move", decision="maybe"),
    entry("move", on="2026-06-01"),
    entry("move", decision="reassign", more=", reassign_to: alice@acme.example"),
    entry("drop", decision="revoke", by="erin@acme.example", more=", colour: red"),
    entry("drop", decision="revoke", on="2026-12-24"),
    entry("x", decision="revoke", repository="acme/other"),
    "  - just a string\n",
])  # fmt: skip


def test_each_bad_row_is_one_message_and_the_good_rows_count(org: Path, capsys) -> None:
    scan(org)
    (org / "bad.yaml").write_text(BAD)
    code, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "bad.yaml"))
    result = json.loads(out[: out.rindex("}") + 1])
    assert code == 1
    assert [d["identity"] for d in result["review"]["decisions"]] == [ident("keep")]
    where = f"{org / 'bad.yaml'}"
    assert result["review"]["problems"] == [
        # what is wrong with a row itself, in file order
        f"{where}:8: move.tf#aws_iam_access_key.move: decided_on must be a date, YYYY-MM-DD, "
        "not '2026-11-31'",
        f"{where}:10: move.tf#aws_iam_access_key.move: decision must be keep, reassign or "
        "revoke, not 'maybe'",
        f"{where}:16: drop.tf#aws_iam_access_key.drop: Additional properties are not "
        "allowed ('colour' was unexpected)",
        f"{where}:22: expected a mapping (repository, identity, decision, ...)",
        # then what does not fit this run
        f"{where}:4: nope.tf#aws_iam_access_key.nope: no such identity in acme/infra",
        f"{where}:6: move.tf#aws_iam_access_key.move: decided_by mallory@acme.example may not "
        "decide: not its decider (carol@acme.example), an owner, or a --reviewer",
        f"{where}:12: move.tf#aws_iam_access_key.move: expired on 2026-08-30 (a keep holds 90 "
        "days, --attest-days): decide again",
        f"{where}:14: move.tf#aws_iam_access_key.move: reassign_to alice@acme.example is "
        "departed: it must be an active person or a team with active members",
        f"{where}:18: drop.tf#aws_iam_access_key.drop: decided_on 2026-12-24 is after this "
        "run's date (2026-11-03)",
        f"{where}:20: x.tf#aws_iam_access_key.x: acme/other is not among this run's reports",
    ]
    assert out[out.rindex("}") + 2 :].splitlines()[0] == f"nhi: {result['review']['problems'][0]}"


def test_a_decision_for_an_identity_that_is_gone_says_since_when(org: Path, capsys) -> None:
    scan(org)
    aggregate(org, capsys, "2026-11-01")
    repo = GitRepo(org / "infra")
    (repo.root / "drop.tf").unlink()
    repo.commit("drop it", author="Carol <carol@acme.example>", date="2026-11-02T09:00:00Z")
    scan(org)
    aggregate(org, capsys, "2026-11-02")
    (org / "late.yaml").write_text(
        "decisions:\n"
        "  - {repository: acme/infra, identity: 'drop.tf#aws_iam_access_key.drop', "
        "decision: revoke, decided_by: carol@acme.example, decided_on: 2026-11-03}\n"
    )
    _, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "late.yaml"))
    assert json.loads(out[: out.rindex("}") + 1])["review"]["problems"] == [
        f"{org / 'late.yaml'}:2: drop.tf#aws_iam_access_key.drop: no longer declared in "
        "acme/infra (gone since 2026-11-02)"
    ]


def test_a_bad_file_as_a_whole_is_one_message_and_exit_3(org: Path, capsys) -> None:
    scan(org)
    cases = {
        "list.yaml": ("- keep\n", "expected a mapping with a `decisions` list "
                      "(scanner/schemas/decisions.schema.json)"),
        "broken.yaml": ("decisions: [\n", "invalid YAML"),
        "extra.yaml": ("decisions: []\nreviewers: [carol]\n", "Additional properties are not "
                       "allowed ('reviewers' was unexpected) (scanner/schemas/decisions."
                       "schema.json)"),
        "sheet.csv": ("decider,identity,decision\n", "not a decisions sheet: no repository "
                      "column (fill in the sheet `nhi aggregate --format csv` writes, or give "
                      "a YAML file)"),
    }  # fmt: skip
    for name, (text, message) in cases.items():
        (org / name).write_text(text)
        code, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / name))
        assert (code, out.splitlines()[-1][: len(f"nhi: error: {org / name}: {message}")]) == (
            3, f"nhi: error: {org / name}: {message}")  # fmt: skip
        assert "Traceback" not in out
    (org / "binary.csv").write_bytes(b"\xff\xfe\x00bad")
    code, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "binary.csv"))
    assert code == 3
    assert out.startswith(f"nhi: error: {org / 'binary.csv'}: cannot be read (")


def test_parse_csv_skips_undecided_rows_and_reads_the_sheet_quotes() -> None:
    text = (
        "repository,identity,decision,reassign_to,decided_by,decided_on\n"
        "acme/a,a.tf#x,,,,\n"
        "acme/a,b.tf#y,Reassign,'@acme/web,'@bob,2026-01-02\n"
        "acme/a,c.tf#z,reassign,,carol@acme.example,2026-01-02\n"
    )
    rows, problems = parse_csv(text, "s.csv")
    assert [(r.identity, r.action, r.assign_to, r.decided_by, r.source) for r in rows] == [
        ("b.tf#y", "reassign", "@acme/web", "@bob", "s.csv:3")
    ]
    assert problems == [
        "s.csv:4: c.tf#z: reassign needs reassign_to: the person or team who owns it from now on"
    ]
    assert parse_yaml("decisions: []\n", "d.yaml") == ([], [])


def test_a_reviewer_group_may_decide_and_attest_days_sets_how_long_a_keep_holds(
    org: Path, capsys
) -> None:
    scan(org)
    (org / "teams.json").write_text('{"@acme/platform": ["dave-d"], "@acme/security": ["erin-e"]}')
    (org / "erin.yaml").write_text(
        "decisions:\n"
        "  - {repository: acme/infra, identity: 'keep.tf#aws_iam_access_key.keep', "
        "decision: keep, decided_by: '@erin-e', decided_on: 2026-10-01}\n"
    )
    decided = ("--decisions", str(org / "erin.yaml"), "--attest-days", "40")
    _, out = aggregate(org, capsys, "2026-11-03", *decided)
    assert json.loads(out[: out.rindex("}") + 1])["review"]["problems"] == [
        f"{org / 'erin.yaml'}:2: keep.tf#aws_iam_access_key.keep: decided_by @erin-e may not "
        "decide: not its decider (carol@acme.example), an owner, or a --reviewer"
    ]
    _, out = aggregate(org, capsys, "2026-11-03", *decided, "--reviewer", "@acme/security")
    result = json.loads(out)
    assert result["review"]["problems"] == []
    assert [(i["identity"], i["state"]) for i in result["identities"]][2] == (ident("keep"), "kept")
    lapse = (
        "lapsed: acme/infra: keep.tf#aws_iam_access_key.keep: kept by @erin-e on 2026-10-01: "
        "the attestation expired on 2026-11-10: decide again\n"
    )
    for _ in range(2):  # said on every run while it stands; recorded once
        _, out = aggregate(org, capsys, "2026-11-11", "--attest-days", "40", fmt="text")
        assert lapse in out
    with sqlite3.connect(org / "inventory.sqlite") as db:
        assert db.execute("SELECT run, event FROM events WHERE event = 'lapsed'").fetchall() == [
            (3, "lapsed")
        ]


def test_the_schema_is_valid_and_the_readme_example_reads_as_one_decision() -> None:
    import re

    import jsonschema

    from scanner.aggregate.decisions import _schema

    jsonschema.Draft202012Validator.check_schema(_schema())
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    example = re.search(r"```yaml\n(decisions:\n.+?)```", readme, re.DOTALL)
    assert example is not None
    rows, problems = parse_yaml(example[1], "README.md")
    assert (problems, [(r.identity, r.action, r.note) for r in rows]) == (
        [], [("backup.tf#aws_iam_access_key.backup", "keep", "nightly backup")])  # fmt: skip


def test_rows_decided_twice_by_someone_gone_or_by_nobody(org: Path, capsys) -> None:
    scan(org)
    (org / "odd.yaml").write_text("".join([
        "decisions:\n",
        entry("keep", on="2026-11-01"),
        entry("keep", decision="revoke"),
        entry("move", by="alice@acme.example"),
        entry("move", by="''"),
        entry("drop", repository="''"),
    ]))  # fmt: skip
    _, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "odd.yaml"))
    result = json.loads(out[: out.rindex("}") + 1])
    where = org / "odd.yaml"
    assert result["review"]["problems"] == [
        f"{where}:8: move.tf#aws_iam_access_key.move: needs decided_by: who decided",
        f"{where}:10: drop.tf#aws_iam_access_key.drop: needs a repository and an identity id",
        f"{where}:4: keep.tf#aws_iam_access_key.keep: decided again (also at {where}:2); the "
        "later decided_on counts",
        f"{where}:6: move.tf#aws_iam_access_key.move: decided_by alice@acme.example is departed "
        "in the roster",
    ]
    assert [(d["identity"], d["decision"]) for d in result["review"]["decisions"]] == [
        (ident("keep"), "revoke")
    ]


def test_a_sheet_past_the_csv_field_limit_and_a_db_that_is_no_inventory_exit_3(
    org: Path, capsys
) -> None:
    scan(org)
    (org / "huge.csv").write_text("repository,identity,decision\n" + "x" * 200_000 + ",y,keep\n")
    code, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "huge.csv"))
    assert (code, out) == (3, f"nhi: error: {org / 'huge.csv'}: not valid CSV (field larger "
                              "than field limit (131072))\n")  # fmt: skip
    (org / "inventory.sqlite").write_text("not a database, but long enough to be read as one\n")
    code, out = aggregate(org, capsys, "2026-11-03")
    assert (code, out.split(" (")[0]) == (
        3, f"nhi: error: {org / 'inventory.sqlite'}: not an inventory")  # fmt: skip


def test_an_inventory_from_before_decisions_is_migrated_and_the_decisions_apply(
    org: Path, capsys
) -> None:
    from scanner.aggregate.inventory_schema import MIGRATIONS

    with sqlite3.connect(org / "inventory.sqlite") as old:
        for step in MIGRATIONS[:4]:
            for statement in step:
                old.execute(statement)
        old.execute("PRAGMA user_version = 4")
    old.close()
    scan(org)
    (org / "one.yaml").write_text("decisions:\n" + entry("keep"))
    _, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "one.yaml"))
    assert [(i["identity"], i["state"]) for i in json.loads(out)["identities"]][2] == (
        ident("keep"), "kept")  # fmt: skip
