"""The demo organisation plus exports (#26): one declared key never used, one declared key
deleted in the console, one IAM user made by hand, one GitHub secret stored and read by no
workflow. `nhi aggregate --observed` reports exactly those, each routed to who must decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import demo, pipeline, policy
from scanner.cli import main
from scanner.observed import sample
from scanner.reporters import json as json_report


@pytest.fixture(scope="module")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("observed-org")
    options = pipeline.Options(policies=policy.builtin(), today=demo.TODAY)
    reports = folder / "reports"
    reports.mkdir()
    for repo in demo.build(folder):
        report = pipeline.scan(repo, options=options)
        (reports / f"{repo.name}.json").write_text(json_report.render(report), encoding="utf-8")
    (folder / "roster.csv").write_text(demo.ROSTER, encoding="utf-8")
    (folder / "teams.json").write_text(demo.TEAMS, encoding="utf-8")
    exports = sample.write(folder)
    args = [str(reports), "--roster", str(folder / "roster.csv"), "--teams",
            str(folder / "teams.json"), "--as-of", "2026-11-01", "--default-owner",
            demo.DEFAULT_OWNER, "--no-db"]  # fmt: skip
    for path in exports:
        args += ["--observed", str(path)]
    return folder, args


def test_exactly_the_four_are_reported_and_routed(organisation, capsys) -> None:
    folder, args = organisation
    assert main(["aggregate", *args, "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    findings = [(s["rules"], s["repository"], s["identity"], s["route_to"], s["why"])
                for s in document["observed"] if s["rules"]]  # fmt: skip
    assert findings == [
        (["NHI110"], "acme/payments-infra", "deployer.tf#aws_iam_access_key.ci_deployer",
         ["@acme/payments-platform"], "the active owners"),
        (["NHI112"], "acme/data-pipeline", "etl/service_accounts.tf#google_service_account_key.etl",
         ["carol@acme.example"], "manager of bob@acme.example"),
        (["NHI113"], "", "aws:111122223333:aws_iam_user/hand-made-admin",
         ["security@acme.example"], "the default owner: the export names nobody"),
        (["NHI114"], "acme/data-pipeline",
         "github:acme/data-pipeline:github_secret/LEGACY_FTP_PASSWORD", ["carol@acme.example"],
         "the active authors of the workflows of acme/data-pipeline"),
    ]  # fmt: skip
    live = sorted((s["identity"], s["how"]) for s in document["observed"] if s["state"] == "live")
    assert live == [
        (".github/workflows/load.yml#secrets/ETL_SA_KEY",
         f"secret ETL_SA_KEY read in .github/workflows/load.yml = github_secret ETL_SA_KEY in "
         f"{folder / 'github.json'} acme/data-pipeline"),
        ("deployer.tf#aws_iam_access_key.ci_deployer",
         "belongs to aws_iam_user.ci_deployer (name 'ci-deployer-v2') = aws_access_key "
         f"ci-deployer-v2#access_key_1 in {folder / 'credential-report.csv'} 111122223333 "
         "(of ci-deployer-v2)"),
        ("deployer.tf#aws_iam_user.ci_deployer",
         "name 'ci-deployer-v2' written in deployer.tf = aws_iam_user ci-deployer-v2 in "
         f"{folder / 'credential-report.csv'} 111122223333"),
        ("etl/service_accounts.tf#github_actions_secret.etl_key",
         "secret_name 'ETL_SA_KEY' written in etl/service_accounts.tf = github_secret ETL_SA_KEY "
         f"in {folder / 'github.json'} acme/data-pipeline"),
        ("etl/service_accounts.tf#google_service_account.etl",
         "account_id 'etl' written in etl/service_accounts.tf = gcp_service_account etl in "
         f"{folder / 'service-accounts.json'} data-prod"),
    ]  # fmt: skip
    never = next(s for s in document["observed"] if s["rules"] == ["NHI110"])
    assert (never["observed"]["last_used"], never["unused_days"], never["key_age_days"]) == \
        (None, 290, 290)  # fmt: skip
    declared = {i["identity"]: i.get("observed") for i in document["identities"]}
    assert declared["deployer.tf#aws_iam_access_key.ci_deployer"] == {
        "state": "live", "how": live[1][1], "live": True, "created": "2026-01-15",
        "last_used": None, "unused_days": 290, "key_age_days": 290,
        "export": str(folder / "credential-report.csv"), "exported": None,
    }  # fmt: skip
    assert declared["etl/service_accounts.tf#google_service_account_key.etl"]["state"] == \
        "not_live"  # fmt: skip
    assert declared["deployer.tf#aws_iam_access_key.ci_deployer_2"] is None  # not joinable
    assert [e["format"] for e in document["observed_exports"]] == [
        "aws-credential-report", "gcp-service-accounts", "gcp-keys", "github"]  # fmt: skip


def test_the_text_output_says_how_and_who(organisation, capsys) -> None:
    folder, args = organisation
    assert main(["aggregate", *args]) == 1
    out = capsys.readouterr().out
    assert (
        "111122223333: aws_iam_user hand-made-admin (observed only) [NHI113] undeclared\n"
        f"    how: aws_iam_user hand-made-admin in {folder / 'credential-report.csv'} "
        "111122223333: no repository declares it\n"
        "    decide: security@acme.example (the default owner: the export names nobody)\n"
        "    observed: created 2026-03-03, last used 2026-10-31, unused 1 day, export "
        f"{folder / 'credential-report.csv'}\n"
    ) in out
    assert "4 observed findings; 5 declared identities matched live\n" in out


def test_a_bad_export_is_one_rejection_and_its_provider_is_not_judged(organisation, capsys):
    folder, args = organisation
    bad = folder / "truncated.csv"
    bad.write_text(sample.CREDENTIAL_REPORT[:-40], encoding="utf-8")
    args = [a if a != str(folder / "credential-report.csv") else str(bad) for a in args]
    assert main(["aggregate", *args, "--format", "json"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert {"source": str(bad), "reason": "row 3 has 14 of 22 columns (a truncated or "
            "hand-edited report?); the file is not used"} in document["rejected"]  # fmt: skip
    assert sorted(r for s in document["observed"] for r in s["rules"]) == ["NHI112", "NHI114"]
    assert "Traceback" not in captured.err


def test_the_markdown_summary_has_a_table_of_them(organisation, capsys) -> None:
    _, args = organisation
    assert main(["aggregate", *args, "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert "## Observed in the exports\n\n| decide | rules | identity | how | observed |\n" in out
    assert "| security@&#8203;acme.example | NHI113 | 111122223333: aws\\_iam\\_user hand" in out


def test_the_inventory_keeps_them_and_answers_unused_for(organisation, tmp_path, capsys) -> None:
    import sqlite3

    _, args = organisation
    db = tmp_path / "inventory.sqlite"
    args = [a for a in args if a != "--no-db"] + ["--db", str(db)]
    assert main(["aggregate", *args, "--format", "json"]) == 1
    capsys.readouterr()
    assert main(["inventory", "--db", str(db), "--unused-for", "90", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [(e["repository"], e["identity"]) for e in found] == [
        ("acme/payments-infra", "deployer.tf#aws_iam_access_key.ci_deployer")
    ]
    assert main(["inventory", "--db", str(db), "--unused-for", "291", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    with sqlite3.connect(db) as connection:
        undeclared = connection.execute(
            "SELECT repository, identity, state, rules, route_to FROM observed "
            "WHERE state IN ('undeclared', 'unreferenced', 'not_live') ORDER BY identity"
        ).fetchall()
    assert undeclared == [
        ("", "aws:111122223333:aws_iam_user/hand-made-admin", "undeclared", '["NHI113"]',
         '["security@acme.example"]'),
        ("acme/data-pipeline", "etl/service_accounts.tf#google_service_account_key.etl",
         "not_live", '["NHI112"]', '["carol@acme.example"]'),
        ("acme/data-pipeline", "github:acme/data-pipeline:github_secret/LEGACY_FTP_PASSWORD",
         "unreferenced", '["NHI114"]', '["carol@acme.example"]'),
    ]  # fmt: skip


def test_the_review_sheet_lists_them_in_its_columns(organisation, capsys) -> None:
    import csv
    import io

    _, args = organisation
    assert main(["aggregate", *args, "--format", "csv"]) == 1
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert {len(r) for r in rows} == {len(rows[0])}
    observed = [(r[0], r[2], r[7]) for r in rows if r[7] in ("live", "not_live", "undeclared",
                                                              "unreferenced")]  # fmt: skip
    assert observed == [
        ("'@acme/payments-platform", "deployer.tf#aws_iam_access_key.ci_deployer", "live"),
        ("carol@acme.example", "etl/service_accounts.tf#google_service_account_key.etl",
         "not_live"),
        ("carol@acme.example", "github:acme/data-pipeline:github_secret/LEGACY_FTP_PASSWORD",
         "unreferenced"),
        ("security@acme.example", "aws:111122223333:aws_iam_user/hand-made-admin", "undeclared"),
    ]  # fmt: skip
