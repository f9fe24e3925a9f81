"""The review loop end to end (#24): Alice leaves; the run routes her four service keys to
Carol; Carol's decisions keep one, reassign one and revoke one; a CODEOWNERS change hands the
fourth to Dave; the next runs show exactly those states, the inventory holds the history, and
a re-run with the same inputs changes nothing. Real repositories, a real roster, the CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scanner.cli import main
from tests.conftest import GitRepo

ROSTER = """\
email,status,manager,github_login,leave_date
alice@acme.example,departed,carol@acme.example,alice-a,2026-03-02
carol@acme.example,active,,carolc,
dave@acme.example,active,carol@acme.example,dave-d,
erin@acme.example,active,,erin-e,
mallory@acme.example,active,,mallory-m,
"""
TEAMS = '{"@acme/platform": ["dave-d"]}\n'
KEYS = ("keep", "move", "drop", "adopt")


def key(name: str) -> str:
    return f'resource "aws_iam_access_key" "{name}" {{\n  user = "svc-{name}"\n}}\n'


def ident(name: str) -> str:
    return f"{name}.tf#aws_iam_access_key.{name}"


@pytest.fixture
def org(tmp_path: Path) -> Path:
    repo = GitRepo(tmp_path / "infra")
    repo.root.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.git("remote", "add", "origin", "https://github.com/acme/infra.git")
    for name in KEYS:
        repo.write(f"{name}.tf", key(name))
    repo.commit("service keys", author="Alice <alice@acme.example>", date="2026-01-05T10:00:00Z")
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "teams.json").write_text(TEAMS)
    (tmp_path / "reports").mkdir()
    return tmp_path


def scan(org: Path) -> None:
    out = org / "reports" / "infra.json"
    argv = ["scan", "--repo", str(org / "infra"), "--format", "json", "--output", str(out),
            "--no-cache", "--fail-on", "none", "--today", "2026-11-01"]  # fmt: skip
    assert main(argv) == 0


def aggregate(org: Path, capsys, day: str, *extra: str, fmt: str = "json") -> tuple[int, str]:
    capsys.readouterr()
    code = main(["aggregate", str(org / "reports"), "--roster", str(org / "roster.csv"),
                 "--teams", str(org / "teams.json"), "--as-of", day, "--db",
                 str(org / "inventory.sqlite"), "--format", fmt, *extra])  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def states(out: str) -> dict[str, str]:
    return {i["identity"].partition(".")[0]: i["state"] for i in json.loads(out)["identities"]}


DECISIONS = """\
decisions:
  - {repository: acme/infra, identity: "keep.tf#aws_iam_access_key.keep", decision: keep,
     decided_by: carol@acme.example, decided_on: 2026-11-02, note: "nightly backup"}
  - {repository: acme/infra, identity: "move.tf#aws_iam_access_key.move", decision: reassign,
     reassign_to: "@acme/platform", decided_by: "@carolc", decided_on: 2026-11-02}
  - {repository: acme/infra, identity: "drop.tf#aws_iam_access_key.drop", decision: revoke,
     decided_by: carol@acme.example, decided_on: 2026-11-02}
"""


def table(org: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(org / "inventory.sqlite") as db:
        return db.execute(sql).fetchall()


def test_decisions_and_a_handover_close_the_loop(org: Path, capsys) -> None:
    scan(org)
    code, out = aggregate(org, capsys, "2026-11-01", fmt="text")
    assert code == 1
    assert "first run: 4 identities recorded in the inventory\n" in out
    assert out.count("decide: carol@acme.example (manager of alice@acme.example)") == 4

    (org / "decisions.yaml").write_text(DECISIONS)
    repo = GitRepo(org / "infra")
    repo.write("CODEOWNERS", "/adopt.tf @dave-d\n")
    repo.commit("Dave takes the adopt key", author="Dave <dave@acme.example>",
                date="2026-11-02T09:00:00Z")  # fmt: skip
    scan(org)
    decided = ("--decisions", str(org / "decisions.yaml"))
    code, out = aggregate(org, capsys, "2026-11-03", *decided, fmt="text")
    assert code == 0, out  # nothing is left undecided
    assert out == (
        "resolved: acme/infra: adopt.tf:1: aws_iam_access_key adopt (handed over to "
        "dave@acme.example; orphaned since 2026-11-01)\n"
        "resolved: acme/infra: keep.tf:1: aws_iam_access_key keep (kept by carol@acme.example "
        "on 2026-11-02; orphaned since 2026-11-01)\n"
        "resolved: acme/infra: move.tf:1: aws_iam_access_key move (reassigned to @acme/platform "
        "by @carolc on 2026-11-02; orphaned since 2026-11-01)\n"
        "revocation pending: acme/infra: drop.tf:1: aws_iam_access_key drop (revoked by "
        "carol@acme.example on 2026-11-02; decide: carol@acme.example)\n"
        "decided: acme/infra: keep.tf:1: aws_iam_access_key keep: kept by carol@acme.example on "
        "2026-11-02, until 2027-01-31\n"
        "decided: acme/infra: move.tf:1: aws_iam_access_key move: reassigned to @acme/platform "
        "by @carolc on 2026-11-02\n"
        "handover: acme/infra: adopt.tf:1: aws_iam_access_key adopt: dave@acme.example: you now "
        "own adopt, provisioned by alice@acme.example who left on 2026-03-02\n"
        "0 orphaned (0 new since 2026-11-01) of 4 identities in 1 repositories, 0 rejected\n"
    )
    _, again = aggregate(org, capsys, "2026-11-03", *decided)
    assert states(again) == {
        "keep": "kept",
        "move": "reassigned",
        "drop": "revoking",
        "adopt": "adopted",
    }
    _, summary = aggregate(org, capsys, "2026-11-03", fmt="markdown")
    assert summary.split("## Decided\n\n")[1] == (
        "- acme/infra: aws\\_iam\\_access\\_key drop at drop.tf:1: revocation pending: revoked "
        "by carol@&#8203;acme.example on 2026\\-11\\-02\n"
        "- acme/infra: aws\\_iam\\_access\\_key keep at keep.tf:1: kept by "
        "carol@&#8203;acme.example on 2026\\-11\\-02, until 2027\\-01\\-31\n"
        "- acme/infra: aws\\_iam\\_access\\_key move at move.tf:1: reassigned to "
        "@&#8203;acme/platform by @&#8203;carolc on 2026\\-11\\-02\n\n"
        "## Handed over\n\n"
        "- acme/infra: aws\\_iam\\_access\\_key adopt at adopt.tf:1: dave@&#8203;acme.example: you "
        "now own adopt, provisioned by alice@&#8203;acme.example who left on 2026\\-03\\-02\n"
    )
    review = json.loads(again)["review"]
    assert (review["new"], review["resolved"], review["problems"]) == ([], [], [])
    assert [h["first"] for h in review["handovers"]] == [False]  # told once, on the run before

    # The re-run with the same inputs added no decision, handover or event.
    assert table(
        org,
        "SELECT identity, decision, decided_by, decided_on, assign_to, run "
        "FROM decisions ORDER BY identity",
    ) == [
        (ident("drop"), "revoke", "carol@acme.example", "2026-11-02", "", 2),
        (ident("keep"), "keep", "carol@acme.example", "2026-11-02", "", 2),
        (ident("move"), "reassign", "@carolc", "2026-11-02", "@acme/platform", 2),
    ]
    assert table(org, "SELECT run, identity, event, detail FROM events ORDER BY rowid") == [
        *((1, ident(n), "new", "") for n in sorted(KEYS)),
        (2, ident("keep"), "decided", "kept by carol@acme.example on 2026-11-02"),
        (2, ident("move"), "decided", "reassigned to @acme/platform by @carolc on 2026-11-02"),
        (2, ident("drop"), "decided", "revoked by carol@acme.example on 2026-11-02"),
        (2, ident("adopt"), "adopted",
         "you now own adopt, provisioned by alice@acme.example who left on 2026-03-02"),
        (2, ident("adopt"), "resolved", "handed over to dave@acme.example"),
        (2, ident("keep"), "resolved", "kept by carol@acme.example on 2026-11-02"),
        (2, ident("move"), "resolved", "reassigned to @acme/platform by @carolc on 2026-11-02"),
    ]  # fmt: skip

    # The key is revoked: it disappears, and the revocation is resolved, by its decision.
    (org / "infra" / "drop.tf").unlink()
    repo.commit("drop the revoked key", author="Carol <carol@acme.example>",
                date="2026-11-04T09:00:00Z")  # fmt: skip
    scan(org)
    code, out = aggregate(org, capsys, "2026-11-05", fmt="text")  # no file: the inventory knows
    assert code == 0
    assert out.splitlines()[0] == (
        "resolved: acme/infra: drop.tf:1: aws_iam_access_key drop (revoked: decided by "
        "carol@acme.example on 2026-11-02; orphaned since 2026-11-01)"
    )
    assert states(aggregate(org, capsys, "2026-11-05")[1]) == {
        "keep": "kept",
        "move": "reassigned",
        "adopt": "adopted",
    }

    # 90 days on, the keep needs attesting again: it is an orphan once more, routed as before.
    code, out = aggregate(org, capsys, "2027-02-01", fmt="text")
    assert code == 1
    assert ("lapsed: acme/infra: keep.tf#aws_iam_access_key.keep: kept by carol@acme.example on "
            "2026-11-02: the attestation expired on 2027-01-31: decide again\n") in out  # fmt: skip
    assert "acme/infra: keep.tf:1: aws_iam_access_key keep [NHI001, NHI101] NEW\n" in out


def inventory(org: Path, capsys, *extra: str) -> list[tuple[str, str]]:
    capsys.readouterr()
    assert main(["inventory", "--db", str(org / "inventory.sqlite"), "--format", "json",
                 *extra]) == 0  # fmt: skip
    return [(e["name"], e["state"]) for e in json.loads(capsys.readouterr().out)]


def test_each_run_says_what_is_new_and_the_inventory_answers_since_when(org: Path, capsys) -> None:
    scan(org)
    aggregate(org, capsys, "2026-11-01")
    (org / "decisions.yaml").write_text(DECISIONS)
    repo = GitRepo(org / "infra")
    repo.write("CODEOWNERS", "/adopt.tf @dave-d\n")
    repo.write("fresh.tf", key("fresh").replace('"svc-fresh"', '"svc-fresh"\n  # S3 backup'))
    repo.commit("a new key", author="Dave <dave@acme.example>", date="2026-11-02T09:00:00Z")
    scan(org)
    _, out = aggregate(org, capsys, "2026-11-03", "--decisions", str(org / "decisions.yaml"),
                       fmt="text")  # fmt: skip
    assert "new: acme/infra: fresh.tf:1: aws_iam_access_key fresh (orphaned)\n" in out
    assert inventory(org, capsys, "--new") == [("fresh", "orphaned")]
    assert inventory(org, capsys, "--new", "--since", "2026-11-01") == [
        ("adopt", "adopted"), ("drop", "revoking"), ("fresh", "orphaned"), ("keep", "kept"),
        ("move", "reassigned"),
    ]  # fmt: skip
    assert inventory(org, capsys, "--decided") == [
        ("adopt", "adopted"), ("drop", "revoking"), ("keep", "kept"), ("move", "reassigned"),
    ]  # fmt: skip
    assert inventory(org, capsys, "--pending") == [("drop", "revoking"), ("fresh", "orphaned")]
    capsys.readouterr()
    main(["inventory", "--db", str(org / "inventory.sqlite"), "--pending", "--repo", "acme/infra"])
    assert capsys.readouterr().out.splitlines()[0] == (
        "acme/infra: drop.tf:1: aws_iam_access_key drop (revocation pending; orphaned since "
        "2026-11-01; first seen 2026-11-01, last seen 2026-11-03)"
    )
    assert inventory(org, capsys, "--since", "2026-11-02") == [
        ("adopt", "adopted"), ("drop", "revoking"), ("fresh", "orphaned"), ("keep", "kept"),
        ("move", "reassigned"),
    ]  # fmt: skip
    assert inventory(org, capsys, "--since", "2026-11-04") == []
    assert inventory(org, capsys, "--decided", "--since", "2026-11-04") == []
