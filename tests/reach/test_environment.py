"""The environment of an identity, from evidence, with where it came from (#25)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from scanner.errors import ConfigError
from scanner.model import Category, Identity, Reach
from scanner.reach.environment import environment, parse


def identity(path: str, pointer: str = "aws_iam_role.app", **attributes: str) -> Identity:
    return Identity(scanner="terraform", kind="aws_iam_role", category=Category.IDENTITY,
                    name="app", path=path, line=1, end_line=3, pointer=pointer, anchor_line=1,
                    attributes=attributes)  # fmt: skip


POLICY = Reach(identity="x", admin=False,
               resources=("arn:aws:rds:us-east-1:210987654321:cluster:customer-data",))  # fmt: skip
MAPPING = {"210987654321": "prod", "acme/payments-infra": "staging"}


@pytest.mark.parametrize(
    ("subject", "reach", "repository", "expected"),
    [
        # a tag beats everything else
        (identity("envs/staging/iam.tf", environment="Prod"), POLICY, "acme/x",
         ("production", "tag environment=Prod")),
        # an account id a policy names, mapped by --environments
        (identity("iam.tf"), POLICY, "acme/x",
         ("production", "account 210987654321 (--environments)")),
        (identity("main.tf", "module.staging_db.aws_iam_role.this"), None, "acme/x",
         ("staging", "module staging_db")),
        (identity("envs/prod-us/iam.tf"), None, "acme/x", ("production", "folder prod-us")),
        (identity("iam.tf", "aws_iam_role.app_stg"), None, "acme/x", None),  # the label is no name
        (dataclasses.replace(identity("envs/dev/iam.tf"), name="app_stg"), None, "acme/x",
         ("staging", "name app_stg")),
        (identity("iam.tf"), None, "acme/payments-infra",
         ("staging", "repository acme/payments-infra (--environments)")),
        (identity("iam.tf"), None, "acme/billing-dev",
         ("development", "repository acme/billing-dev")),
        # whole words only: devops is no environment, nor is a production-like substring
        (identity("devops/products/iam.tf"), None, "acme/x", None),
    ],
)  # fmt: skip
def test_environment_from_evidence(subject, reach, repository, expected) -> None:
    assert environment(subject, reach, repository, MAPPING) == expected


def test_an_environments_file_is_checked() -> None:
    assert parse('"012345678901": prod\nacme-data-prod: production\n', "env.yaml") == {
        "012345678901": "prod",
        "acme-data-prod": "production",
    }
    assert parse("", "env.yaml") == {}
    with pytest.raises(ConfigError) as error:
        parse("123456789012: prod\n", "env.yaml")  # unquoted: a YAML number
    assert str(error.value) == (
        "env.yaml: expected a mapping of quoted account or project ids (or repository names) "
        "to environment names"
    )
    with pytest.raises(ConfigError) as error:
        parse("a: [", "env.yaml")
    assert str(error.value) == "env.yaml: not YAML (ParserError)"


def test_aggregate_reads_the_environments_file(git_repo, tmp_path, capsys) -> None:
    from scanner import pipeline
    from scanner.cli import main
    from scanner.reporters.json import render

    git_repo.write("iam.tf", 'resource "aws_iam_role" "app" {\n  name = "app"\n}\n\n'
                   'resource "aws_iam_role_policy_attachment" "app" {\n'
                   "  role       = aws_iam_role.app.name\n"
                   '  policy_arn = "arn:aws:iam::210987654321:policy/app"\n}\n')  # fmt: skip
    git_repo.commit("role", author="Bob Baker <bob@acme.example>")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(repository_name="acme/x"))
    (tmp_path / "x.json").write_text(render(report))
    (tmp_path / "roster.csv").write_text("email,status\nbob@acme.example,active\n")
    (tmp_path / "env.yaml").write_text('"210987654321": prod\n')
    (tmp_path / "bad.yaml").write_text("210987654321: prod\n")
    argv = ["aggregate", str(tmp_path / "x.json"), "--roster", str(tmp_path / "roster.csv"),
            "--db", str(tmp_path / "inv.sqlite"), "--as-of", "2026-11-01"]  # fmt: skip
    assert main([*argv, "--environments", str(tmp_path / "bad.yaml")]) == 3
    assert capsys.readouterr().err == (
        f"nhi: error: {tmp_path / 'bad.yaml'}: expected a mapping of quoted account or project "
        "ids (or repository names) to environment names\n"
    )
    assert main([*argv, "--environments", str(tmp_path / "env.yaml")]) == 0
    capsys.readouterr()
    db = str(tmp_path / "inv.sqlite")
    assert main(["inventory", "--db", db, "--environment", "production", "--format", "json"]) == 0
    found = [(e["identity"], e["environment"]) for e in json.loads(capsys.readouterr().out)]
    evidence = {"name": "production", "from": "account 210987654321 (--environments)"}
    assert found == [("iam.tf#aws_iam_role.app", evidence)]
