"""`nhi aggregate` with rosters that carry dates, teams with leads and successors, and broken
manager chains (#23), on the demo organisation's real reports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from scanner import demo
from scanner.aggregate.notify import body
from scanner.aggregate.output import leaving
from scanner.cli import main

DATED = """\
email,status,manager,github_login,name,aliases,leave_date
carol@acme.example,active,,carolc,Carol Chen,,
bob@acme.example,departed,carol@acme.example,bobb,Bob Baker,,2026-03-02
alice@acme.example,active,bob@acme.example,alice-a,Alice Archer,,2026-11-15
dana@acme.example,active,carol@acme.example,dana-d,Dana Diaz,,
"""
TEAM = '{"@acme/payments-platform": ["alice-a"]}'


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    """The demo organisation's JSON reports (its history is pinned)."""
    root = tmp_path_factory.mktemp("roster-org")
    (root / "reports").mkdir()
    for repo in demo.build(root / "org"):
        out = root / "reports" / f"{repo.name}.json"
        argv = ["scan", "--repo", str(repo), "--today", "2026-11-01", "--format", "json"]
        assert main([*argv, "--output", str(out), "--no-cache"]) in (0, 1)
    return root


def run(org: Path, tmp_path: Path, capsys, roster: str, teams: str, *extra: str):
    (tmp_path / "roster.csv").write_text(roster)
    (tmp_path / "teams.json").write_text(teams)
    code = main(["aggregate", str(org / "reports"), "--roster", str(tmp_path / "roster.csv"),
                 "--teams", str(tmp_path / "teams.json"), "--as-of", "2026-11-01", "--no-db",
                 *extra])  # fmt: skip
    return code, capsys.readouterr().out


def block(out: str, first: str) -> list[str]:
    lines = out.splitlines()
    start = lines.index(first)
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")),
               len(lines))  # fmt: skip
    return lines[start:end]


def test_departure_dates_and_leaving_soon_in_text(org: Path, tmp_path: Path, capsys) -> None:
    code, out = run(org, tmp_path, capsys, DATED, TEAM)
    assert code == 1
    assert block(
        out,
        "acme/data-pipeline: etl/service_accounts.tf:5: google_service_account_key "
        "etl [NHI001, NHI101]",
    ) == [
        "acme/data-pipeline: etl/service_accounts.tf:5: google_service_account_key etl "
        "[NHI001, NHI101]",
        "    people: provisioner bob@acme.example (departed)",
        "    decide: carol@acme.example (manager of bob@acme.example)",
        "    orphaned since 2026-03-02, when bob@acme.example left",
    ]
    assert block(
        out, "acme/payments-infra: deployer.tf:5: aws_iam_access_key ci_deployer [leaving]"
    ) == [
        "acme/payments-infra: deployer.tf:5: aws_iam_access_key ci_deployer [leaving]",
        "    people: provisioner alice@acme.example (leaving), owner @acme/payments-platform "
        "(leaving)",
        "    decide: carol@acme.example (manager of alice@acme.example (past bob@acme.example "
        "(departed)))",
        "    alice@acme.example leaves on 2026-11-15, in 14 days; @acme/payments-platform loses "
        "its last member on 2026-11-15, in 14 days",
    ]
    # Outside the warning window, Alice is just active: nothing to say yet.
    code, out = run(org, tmp_path, capsys, DATED, TEAM, "--warn-days", "13")
    assert "[leaving]" not in out


def test_dates_in_json_csv_markdown_and_issues(org: Path, tmp_path: Path, capsys) -> None:
    _, out = run(org, tmp_path, capsys, DATED, TEAM, "--format", "json")
    result = json.loads(out)
    etl = next(o for o in result["orphans"] if o["name"] == "etl")
    bob = {
        "person": "bob@acme.example",
        "email": "bob@acme.example",
        "state": "departed",
        "reference": "bob@acme.example",
        "role": "provisioner",
        "left_on": "2026-03-02",
    }
    assert (etl["orphaned_since"], etl["people"]) == ("2026-03-02", [bob])
    assert [
        (i["name"], i["route_to"], [p.get("days_left") for p in i["people"]])
        for i in result["leaving"]
    ] == [
        ("ci_deployer", ["carol@acme.example"], [14, 14]),
        ("ci_deployer", ["carol@acme.example"], [14, 14]),
        ("ci_deployer", ["carol@acme.example"], [None, 14]),
        ("ci_deployer_2", ["dana@acme.example"], [None, 14]),
    ]
    _, out = run(org, tmp_path, capsys, DATED, TEAM, "--format", "csv")
    rows = {(r[2], r[7]): r for r in csv.reader(io.StringIO(out))}
    key_row = rows[("deployer.tf#aws_iam_access_key.ci_deployer", "leaving")]
    assert (key_row[0], key_row[8], key_row[10]) == (
        "carol@acme.example",
        "alice@acme.example leaving 2026-11-15; '@acme/payments-platform leaving 2026-11-15",
        "",
    )
    assert rows[("etl/service_accounts.tf#google_service_account.etl", "orphaned")][10] == (
        "2026-03-02"
    )
    _, out = run(org, tmp_path, capsys, DATED, TEAM, "--format", "markdown")
    lines = out.splitlines()
    start = lines.index("## Leaving soon")
    assert lines[start + 4] == (
        "| carol@&#8203;acme.example | acme/payments\\-infra | aws\\_iam\\_user ci\\_deployer "
        "at deployer.tf:1 | alice@&#8203;acme.example leaves on 2026\\-11\\-15, in 14 days; "
        "@&#8203;acme/payments\\-platform loses its last member on 2026\\-11\\-15, in 14 days |"
    )


def test_issue_bodies_list_people_leaving_soon(org: Path, tmp_path: Path) -> None:
    from scanner.aggregate import inputs as collect

    (tmp_path / "roster.csv").write_text(DATED)
    (tmp_path / "teams.json").write_text(TEAM)
    import datetime

    result, _, _ = collect.read_and_resolve([org / "reports"], [tmp_path / "roster.csv"],
                               teams=tmp_path / "teams.json",
                               as_of=datetime.date(2026, 11, 1))  # fmt: skip
    soon = [r for r in leaving(result) if r.repository == "acme/payments-infra"]
    text = body(soon[:1], lambda email: ["carolc"] if email == "carol@acme.example" else [])
    assert text.splitlines()[4].split(" <!--")[0] == (
        "- [ ] aws\\_iam\\_user ci\\_deployer at deployer.tf:1 (leaving: alice@&#8203;acme.example "
        "leaves on 2026\\-11\\-15, in 14 days; @&#8203;acme/payments\\-platform loses its last "
        "member on 2026\\-11\\-15, in 14 days): decide @carolc"
    )


ROUTED = """\
email,status,manager,github_login,name,aliases
carol@acme.example,active,,carolc,Carol Chen,
bob@acme.example,departed,E1001,bobb,Bob Baker,
alice@acme.example,active,carol@acme.example,alice-a,Alice Archer,
dana@acme.example,active,carol@acme.example,dana-d,Dana Diaz,
"""
SUCCESSOR = json.dumps({
    "@acme/payments-platform": {"members": ["bobb"], "successor": "@acme/platform"},
    "@acme/platform": {"members": ["dana-d", "carolc"], "lead": "dana-d"},
})  # fmt: skip


def test_routes_say_why_successor_lead_and_broken_chains(org: Path, tmp_path: Path, capsys) -> None:
    _, out = run(org, tmp_path, capsys, ROUTED, SUCCESSOR, "--format", "json",
                 "--default-owner", "security@acme.example")  # fmt: skip
    why = {(o["identity"]): (o["route_to"], o["why"]) for o in json.loads(out)["orphans"]}
    assert why == {
        # The team that owned the deployer is gone; @acme/platform took over, Dana leads it.
        "deployer.tf#aws_iam_user.ci_deployer": (
            ["dana@acme.example"],
            "@acme/payments-platform is gone; @acme/platform took over; dana@acme.example leads "
            "@acme/platform",
        ),
        "deployer.tf#aws_iam_access_key.ci_deployer": (
            ["dana@acme.example"],
            "@acme/payments-platform is gone; @acme/platform took over; dana@acme.example leads "
            "@acme/platform",
        ),
        "deployer.tf#aws_iam_access_key.ci_deployer_2": (
            ["dana@acme.example"],
            "@acme/payments-platform is gone; @acme/platform took over; dana@acme.example leads "
            "@acme/platform",
        ),
        # Bob's manager is in no roster: said, and the default owner decides.
        "etl/service_accounts.tf#google_service_account.etl": (
            ["security@acme.example"],
            "the default owner; nobody else could decide (bob@acme.example's managers: "
            "manager E1001 is in no roster)",
        ),
        "etl/service_accounts.tf#google_service_account_key.etl": (
            ["security@acme.example"],
            "the default owner; nobody else could decide (bob@acme.example's managers: "
            "manager E1001 is in no roster)",
        ),
        ".github/workflows/load.yml#secrets/ETL_SA_KEY": (
            ["carol@acme.example"],
            "the active provisioner; no manager or active owner could decide",
        ),
        "etl/service_accounts.tf#github_actions_secret.etl_key": (
            ["carol@acme.example"],
            "the active provisioner; no manager or active owner could decide",
        ),
    }


def test_a_team_lead_decides_for_the_team(org: Path, tmp_path: Path, capsys) -> None:
    teams = json.dumps({"@acme/payments-platform": {"members": ["alice-a", "dana-d"],
                                                     "lead": "alice-a"}})  # fmt: skip
    without_dana = "".join(line for line in ROUTED.splitlines(True) if "dana" not in line)
    _, out = run(org, tmp_path, capsys, without_dana, teams, "--format", "json")
    why = {(o["identity"]): (o["route_to"], o["why"]) for o in json.loads(out)["orphans"]}
    # Dana, who wrote the key, is in no roster (NHI103); the team decides, through Alice.
    assert why["deployer.tf#aws_iam_access_key.ci_deployer_2"] == (
        ["alice@acme.example"],
        "the active owners, alice@acme.example leads @acme/payments-platform",
    )


def test_a_roster_with_nobody_gone_says_which_export_to_take(
    org: Path, tmp_path: Path, capsys
) -> None:
    """An Okta list export leaves out DEPROVISIONED users: Bob is simply not there."""
    okta = Path(__file__).parents[1] / "roster" / "fixtures" / "okta_list.json"
    (tmp_path / "users.json").write_text(okta.read_text())
    main(["aggregate", str(org / "reports"), "--roster", str(tmp_path / "users.json"),
          "--as-of", "2026-11-01", "--no-db"])  # fmt: skip
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: {tmp_path / 'users.json'}: nobody in this roster has left, yet the reports name "
        "2 people no roster knows (bob@acme.example, dana@acme.example); their identities "
        "reach no manager. Okta's GET /api/v1/users leaves out DEPROVISIONED users: add the "
        'export of search=status eq "DEPROVISIONED" (another --roster).'
    ]


def test_two_accounts_of_one_person_are_noted_in_the_output(
    org: Path, tmp_path: Path, capsys
) -> None:
    users = [
        {"id": "00uC", "status": "DEPROVISIONED", "statusChanged": "2026-01-31T00:00:00.000Z",
         "profile": {"login": "carol.contractor@acme.example", "email": "carol@acme.example"}},
        {"id": "00u1", "status": "ACTIVE",
         "profile": {"login": "carol@acme.example", "email": "carol@acme.example"}},
        {"id": "00u2", "status": "DEPROVISIONED", "statusChanged": "2026-03-02T00:00:00.000Z",
         "profile": {"login": "bob@acme.example", "email": "bob@acme.example",
                     "managerId": "00u1"}},
    ]  # fmt: skip
    (tmp_path / "okta.json").write_text(json.dumps(users))
    main(["aggregate", str(org / "reports"), "--roster", str(tmp_path / "okta.json"),
          "--as-of", "2026-11-01", "--no-db", "--format", "json"])  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["notes"] == [
        f"carol@acme.example: accounts 00u1 (active), 00uC (departed) of {tmp_path / 'okta.json'}"
        " share this address; 00u1 (active) counts"
    ]
    etl = next(o for o in result["orphans"] if o["name"] == "etl")
    assert (etl["route_to"], etl["why"], etl["orphaned_since"]) == (
        ["carol@acme.example"],
        "manager of bob@acme.example",
        "2026-03-02",
    )


def test_successor_chains_and_a_lead_who_left(org: Path, tmp_path: Path, capsys) -> None:
    """The first successor dissolved too: the next one takes over; its lead has left, so the
    team itself decides. The Markdown lists the roster notes."""
    teams = json.dumps({
        "@acme/payments-platform": {"members": ["bobb"], "successor": "@acme/old-platform"},
        "@acme/old-platform": {"members": ["bobb"], "successor": "@acme/platform"},
        "@acme/platform": {"members": ["carolc"], "lead": "bobb"},
    })  # fmt: skip
    _, out = run(org, tmp_path, capsys, ROUTED, teams, "--format", "json")
    why = {(o["identity"]): (o["route_to"], o["why"]) for o in json.loads(out)["orphans"]}
    assert why["deployer.tf#aws_iam_user.ci_deployer"] == (
        ["@acme/platform"],
        "@acme/payments-platform is gone; @acme/platform took over",
    )
    okta = Path(__file__).parents[1] / "roster" / "fixtures" / "okta_list.json"
    (tmp_path / "users.json").write_text(okta.read_text())
    main(["aggregate", str(org / "reports"), "--roster", str(tmp_path / "users.json"),
          "--as-of", "2026-11-01", "--no-db", "--format", "markdown"])  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[lines.index("## Notes on the rosters") + 2].startswith("- ")


def test_a_roster_excel_saved_as_windows_1252_is_read_and_the_output_says_so(
    org: Path, tmp_path: Path, capsys
) -> None:
    """Excel's "CSV (Comma delimited)" on a Western Windows writes the ANSI code page
    (learn.microsoft.com, "Import or export text (.txt or .csv) files"): names with accents
    are not UTF-8. The addresses are ASCII either way; the output says how the file was read.
    A workbook given as a roster, or bytes no encoding here reads, are one clear message."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        "email,status,manager,name\n"
        "carol@acme.example,active,,Carol Nuñez\n"
        "bob@acme.example,departed,Carol Nuñez,Bob Bäcker\n".encode("cp1252")
    )
    main(["aggregate", str(org / "reports"), "--roster", str(roster), "--as-of", "2026-11-01",
          "--no-db", "--format", "json"])  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["notes"] == [
        f'{roster}: not UTF-8, read as Windows-1252 (Excel\'s "CSV (Comma delimited)"); names '
        'with accents are right only if it was: export "CSV UTF-8" to be sure'
    ]
    etl = next(o for o in result["orphans"] if o["name"] == "etl")
    assert (etl["route_to"], etl["why"]) == (["carol@acme.example"], "manager of bob@acme.example")
    for name, data, message in (
        ("book.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)),
         "is a zip file (an Excel workbook?), not a roster export: save it as CSV UTF-8"),
        ("odd.csv", b"email,status\nbob@acme.example,\x81\xff\n",
         "cannot be read (neither UTF-8 nor Windows-1252)"),
    ):  # fmt: skip
        (tmp_path / name).write_bytes(data)
        code = main(["aggregate", str(org / "reports"), "--roster", str(tmp_path / name),
                     "--as-of", "2026-11-01", "--no-db"])  # fmt: skip
        assert (code, capsys.readouterr().err) == (3, f"nhi: error: {tmp_path / name}: {message}\n")
