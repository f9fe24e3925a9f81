"""Cloned identities found within and across repositories, and told to their common owner
(#25): a copy renamed for its region with another provider, a module instantiated twice, and a
genuinely different role that must not match."""

from __future__ import annotations

import json
from pathlib import Path

from scanner import pipeline
from scanner.cli import main
from scanner.reach.shape import name_key, region
from scanner.reporters.json import render

POLICY = """\
  inline_policy {{
    name = "queue"
    policy = jsonencode({{
      Statement = [{{ Effect = "Allow", Action = ["sqs:SendMessage", "rds-data:*"],
                      Resource = "arn:aws:sqs:{region}:{account}:settlement" }}]
    }})
  }}
"""
ROLE = 'resource "aws_iam_role" "{label}" {{\n{provider}  name = "{name}"\n' \
       '  assume_role_policy = "{{}}"\n{policy}}}\n\n'  # fmt: skip
PAYMENTS = (
    ROLE.format(label="settlement_lambda", name="settlement_lambda", provider="",
                policy=POLICY.format(region="us-east-1", account="111111111111"))
    + ROLE.format(label="settlement_lambda_euw1", name="settlement_lambda_euw1",
                  provider="  provider = aws.euw1\n",
                  policy=POLICY.format(region="eu-west-1", account="111111111111"))
    # the same name with other permissions: a different role, never a copy
    + ROLE.format(label="settlement_lambda_dev", name="settlement_lambda_dev",
                  provider="", policy=POLICY.replace("sqs:SendMessage", "sqs:ReceiveMessage")
                  .format(region="us-east-1", account="111111111111"))
)  # fmt: skip
WORKERS = """\
module "worker_use1" {
  source = "./modules/worker"
}

module "worker_euw1" {
  source    = "./modules/worker"
  providers = { aws = aws.euw1 }
}
"""
WORKER = """\
resource "aws_iam_role" "this" {
  name               = "worker"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy_attachment" "this" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSQSFullAccess"
}
"""
ROSTER = "email,status,manager\nbob@acme.example,active,\ndana@acme.example,active,\n"


def scan(git_repo, tmp_path: Path, name: str, files: dict[str, str], author: str) -> Path:
    for path in git_repo.root.glob("*"):
        if path.name != ".git":
            git_repo.git("rm", "-rq", "--", path.name)
    for path, text in files.items():
        git_repo.write(path, text)
    git_repo.commit(name, author=author)
    report = pipeline.scan(git_repo.root, options=pipeline.Options(repository_name=name))
    out = tmp_path / f"{name.replace('/', '_')}.json"
    out.write_text(render(report))
    return out


def test_copies_are_found_and_told_to_their_common_owner(git_repo, tmp_path, capsys) -> None:
    owners = "* @acme/payments\n"
    reports = [
        scan(git_repo, tmp_path, "acme/payments",
             {"iam.tf": PAYMENTS, "workers.tf": WORKERS, "modules/worker/main.tf": WORKER,
              "CODEOWNERS": owners}, "Bob Baker <bob@acme.example>"),
        # a copy in another repository, renamed for its environment, another provider
        scan(git_repo, tmp_path, "acme/payments-eu",
             {"iam.tf": ROLE.format(label="settlement_lambda_prod", name="settlement-lambda",
                                    provider="  provider = aws.eu\n",
                                    policy=POLICY.format(region="eu-central-1",
                                                         account="222222222222")),
              "CODEOWNERS": owners}, "Dana Diaz <dana@acme.example>"),
    ]  # fmt: skip
    (tmp_path / "roster.csv").write_text(ROSTER)
    db = str(tmp_path / "inventory.sqlite")
    argv = ["aggregate", *map(str, reports), "--roster", str(tmp_path / "roster.csv"),
            "--db", db, "--as-of", "2026-11-01"]  # fmt: skip
    main([*argv, "--format", "json"])
    found = json.loads(capsys.readouterr().out)["duplicates"]
    assert [(d["message"], d["to"], d["differing"]) for d in found] == [
        ("you own three identical roles: settlement_lambda (us-east-1), settlement_lambda_euw1 "
         "(eu-west-1) and settlement_lambda_prod (eu-central-1)", ["@acme/payments"],
         ["name", "repository", "region", "environment"]),
        ("you own two identical roles: this (acme/payments) and module.worker_euw1.aws_iam_role"
         ".this (eu-west-1)", ["@acme/payments"], ["path", "module", "region"]),
    ]  # fmt: skip
    assert main(["inventory", "--db", db, "--kind", "aws_iam_role", "--format", "json"]) == 0
    marked = {e["identity"]: e["duplicate_of"] for e in json.loads(capsys.readouterr().out)}
    first = {"identity": "acme/payments:iam.tf#aws_iam_role.settlement_lambda",
             "differing": ["name", "repository", "region", "environment"]}  # fmt: skip
    assert marked == {
        "iam.tf#aws_iam_role.settlement_lambda": None,
        "iam.tf#aws_iam_role.settlement_lambda_dev": None,  # other permissions: no copy
        "iam.tf#aws_iam_role.settlement_lambda_euw1": first,
        "iam.tf#aws_iam_role.settlement_lambda_prod": first,  # in acme/payments-eu
        "modules/worker/main.tf#aws_iam_role.this": None,
        "workers.tf#module.worker_euw1.aws_iam_role.this": {
            "identity": "acme/payments:modules/worker/main.tf#aws_iam_role.this",
            "differing": ["path", "module", "region"],
        },
    }
    assert main([*argv, "--format", "text"]) == 1
    text = capsys.readouterr().out
    assert (
        "duplicate: @acme/payments: you own three identical roles: settlement_lambda "
        "(us-east-1), settlement_lambda_euw1 (eu-west-1) and settlement_lambda_prod "
        "(eu-central-1) [NHI105]\n"
        "    differ in: name, repository, region, environment\n"
    ) in text


def test_names_lose_region_environment_and_index_suffixes() -> None:
    assert [name_key(n) for n in ("Settlement-Lambda-EUW1", "settlement_lambda_prod_2",
                                  "settlement_lambda_us_east_1", "etl-europe-west1",
                                  "app-westeurope-dev", "devops_runner")] == [
        "settlement_lambda", "settlement_lambda", "settlement_lambda", "etl", "app",
        "devops_runner"]  # fmt: skip
    assert region("settlement_lambda_euw1") == "eu-west-1"
    assert region("ci", "", "arn:aws:sqs:ap-southeast-2:1:q") == "ap-southeast-2"
    assert region("ci") is None
