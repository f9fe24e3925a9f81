"""`nhi aggregate` on the demo organisation's real reports, with a roster where Bob has left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import demo
from scanner.cli import main

ROSTER = """\
email,status,manager,github_login,name,aliases
carol@acme.example,active,,carolc,Carol Chen,
bob@acme.example,departed,carol@acme.example,bobb,Bob Baker,
alice@acme.example,active,bob@acme.example,alice-a,Alice Archer,
"""


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    """The demo organisation's JSON reports, a roster, teams, and one broken report."""
    root = tmp_path_factory.mktemp("aggregate")
    reports = root / "reports"
    reports.mkdir()
    for repo in demo.build(root / "org"):
        out = reports / f"{repo.name}.json"
        assert main(
            [
                "scan",
                "--repo",
                str(repo),
                "--today",
                "2026-11-01",
                "--format",
                "json",
                "--output",
                str(out),
                "--no-cache",
            ]
        ) in (0, 1)
    (reports / "broken.json").write_text('{"broken": ')
    (root / "roster.csv").write_text(ROSTER)
    (root / "teams.json").write_text('{"@acme/payments-platform": ["alice-a"]}')
    return root


def aggregate_json(org: Path, capsys, *extra: str) -> tuple[int, dict]:
    code = main(
        [
            "aggregate",
            str(org / "reports"),
            "--roster",
            str(org / "roster.csv"),
            "--teams",
            str(org / "teams.json"),
            "--as-of",
            "2026-11-01",
            "--format",
            "json",
            *extra,
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def test_orphans_are_flagged_and_routed(org: Path, capsys) -> None:
    code, result = aggregate_json(org, capsys)
    assert code == 1
    assert result["repositories"] == ["acme/data-pipeline", "acme/payments-infra"]
    assert [
        (o["repository"], o["identity"], o["rules"], o["route_to"], o["why"])
        for o in result["orphans"]
    ] == [
        (
            "acme/payments-infra",
            "deployer.tf#aws_iam_access_key.ci_deployer_2",
            ["NHI103"],
            ["@acme/payments-platform"],
            "the active owners",
        ),
        (
            "acme/data-pipeline",
            "etl/service_accounts.tf#google_service_account.etl",
            ["NHI101"],
            ["carol@acme.example"],
            "manager of bob@acme.example",
        ),
        (
            "acme/data-pipeline",
            "etl/service_accounts.tf#google_service_account_key.etl",
            ["NHI101"],
            ["carol@acme.example"],
            "manager of bob@acme.example",
        ),
    ]
    assert result["orphans"][1]["people"] == [
        {
            "reference": "bob@acme.example",
            "role": "provisioner",
            "email": "bob@acme.example",
            "state": "departed",
        }
    ]
    assert result["rejected"] == [
        {"source": str(org / "reports/broken.json"), "reason": "not valid JSON (line 1)"}
    ]


def test_a_departed_team_goes_to_the_default_owner(org: Path, capsys, tmp_path: Path) -> None:
    (tmp_path / "teams.json").write_text('{"@acme/payments-platform": ["bobb"]}')
    code = main(
        [
            "aggregate",
            str(org / "reports"),
            "--roster",
            str(org / "roster.csv"),
            "--teams",
            str(tmp_path / "teams.json"),
            "--as-of",
            "2026-11-01",
            "--default-owner",
            "security@acme.example",
            "--format",
            "csv",
        ]
    )
    rows = [row.split(",") for row in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert rows[0] == [
        "decider",
        "repository",
        "identity",
        "kind",
        "path",
        "line",
        "rules",
        "people",
        "why",
        "decision",
    ]
    assert [(row[0], row[2], row[6]) for row in rows[1:]] == [
        ("carol@acme.example", "etl/service_accounts.tf#google_service_account.etl", "NHI101"),
        ("carol@acme.example", "etl/service_accounts.tf#google_service_account_key.etl", "NHI101"),
        ("security@acme.example", "deployer.tf#aws_iam_user.ci_deployer", "NHI102"),
        ("security@acme.example", "deployer.tf#aws_iam_access_key.ci_deployer", "NHI102"),
        ("security@acme.example", "deployer.tf#aws_iam_access_key.ci_deployer_2", "NHI102 NHI103"),
    ]
    assert rows[1][-1] == ""  # the decision column is left for the decider


def test_bad_inputs_exit_3_with_one_message(org: Path, capsys, tmp_path: Path) -> None:
    (tmp_path / "only-bad.json").write_text("[]")
    assert (
        main(["aggregate", str(tmp_path / "only-bad.json"), "--roster", str(org / "roster.csv")])
        == 3
    )
    assert capsys.readouterr().err == (
        f"nhi: error: no report could be read ({tmp_path / 'only-bad.json'}: /: [] is not of "
        "type 'object')\n"
    )
    (tmp_path / "roster.json").write_text('{"what": 1}')
    assert main(["aggregate", str(org / "reports"), "--roster", str(tmp_path / "roster.json")]) == 3
    assert capsys.readouterr().err == (
        f"nhi: error: {tmp_path / 'roster.json'}: cannot tell the roster's format; give "
        "--roster-format\n"
    )
