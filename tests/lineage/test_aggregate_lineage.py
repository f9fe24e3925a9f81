"""The aggregator links repositories: a secret one repository's Terraform creates for another
repository's workflow, in the JSON output and on the organisation's HTML map."""

from __future__ import annotations

import json
import re
from pathlib import Path

from scanner import pipeline
from scanner.cli import main
from scanner.reporters.json import render

ROSTER = """\
email,status,manager,github_login,name,aliases
carol@acme.example,active,,carolc,Carol Chen,
bob@acme.example,departed,carol@acme.example,bobb,Bob Baker,
alice@example.com,active,carol@acme.example,alice,Alice Example,
"""


def test_a_secret_created_for_another_repository_links_the_two(git_repo, tmp_path, capsys):
    git_repo.write(
        "secrets.tf",
        'resource "github_actions_secret" "token" {\n  repository  = "app"\n'
        '  secret_name = "DEPLOY_TOKEN"\n}\n',
    )
    git_repo.commit("infra", author="Bob Baker <bob@acme.example>")
    app = tmp_path / "app"
    (app / ".github/workflows").mkdir(parents=True)
    (app / ".github/workflows/ci.yml").write_text(
        "on: push\njobs:\n  ci:\n    runs-on: x\n    steps:\n"
        "      - run: echo ${{ secrets.DEPLOY_TOKEN }}\n"
    )
    reports = tmp_path / "reports"
    reports.mkdir()
    for root, name in ((git_repo.root, "acme/infra"), (app, "acme/app")):
        report = pipeline.scan(root, options=pipeline.Options(repository_name=name))
        (reports / f"{name.replace('/', '__')}.json").write_text(render(report))
    (tmp_path / "roster.csv").write_text(ROSTER)
    argv = ["aggregate", str(reports), "--roster", str(tmp_path / "roster.csv"), "--no-db"]
    argv += ["--as-of", "2026-11-01", "--write", f"html={tmp_path / 'map.html'}"]
    assert main([*argv, "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["links"] == [
        {
            "from_repository": "acme/app",
            "from": ".github/workflows/ci.yml#secrets/DEPLOY_TOKEN",
            "to_repository": "acme/infra",
            "to": "secrets.tf#github_actions_secret.token",
            "relation": "consumes",
            "evidence": "secrets.DEPLOY_TOKEN is created by github_actions_secret.token in "
            "acme/infra",
        }
    ]
    page = (tmp_path / "map.html").read_text()
    data = json.loads(re.search(r'id="nhi-data">(.*?)</script>', page, re.S)[1])
    nodes = {node["key"]: node for node in data["nodes"]}
    token = nodes["acme/infra:secrets.tf#github_actions_secret.token"]
    assert (token["status"], token["people"]) == ("orphan", ["p:bob@acme.example"])
    assert token["detail"] == (
        "secrets.tf#github_actions_secret.token (secrets.tf:1); bob@acme.example: departed; "
        "decides: carol@acme.example (manager of bob@acme.example)"
    )
    assert (nodes["p:bob@acme.example"]["label"], nodes["p:bob@acme.example"]["state"]) == (
        "bob@acme.example (departed)",
        "departed",
    )
    assert {
        "from": "acme/app:.github/workflows/ci.yml#secrets/DEPLOY_TOKEN",
        "to": "acme/infra:secrets.tf#github_actions_secret.token",
        "relation": "consumes",
        "evidence": "secrets.DEPLOY_TOKEN is created by github_actions_secret.token in acme/infra",
    } in data["edges"]
    assert data["repositories"] == ["acme/app", "acme/infra"]  # in the order read


IAM = """\
resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_user_policy" "ci" {
  user = aws_iam_user.ci.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "reader" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "kms:*"], Resource = "*" }]
  })
}
"""


def aggregate_iam(git_repo, tmp_path: Path, *extra: str) -> tuple[int, str]:
    """Bob's IAM repository, scanned and aggregated into an inventory: (exit code, db)."""
    git_repo.write("iam.tf", IAM)
    git_repo.commit("iam", author="Bob Baker <bob@acme.example>")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(repository_name="acme/iam"))
    (tmp_path / "iam.json").write_text(render(report))
    (tmp_path / "roster.csv").write_text(ROSTER)
    db = str(tmp_path / "inventory.sqlite")
    argv = ["aggregate", str(tmp_path / "iam.json"), "--roster", str(tmp_path / "roster.csv")]
    return main([*argv, "--db", db, "--as-of", "2026-11-01", *extra]), db


def test_who_owns_every_identity_with_admin_reach(git_repo, tmp_path, capsys) -> None:
    code, db = aggregate_iam(git_repo, tmp_path, "--format", "json")
    assert code == 1
    reach = {i["identity"]: i["reach"] for i in json.loads(capsys.readouterr().out)["identities"]}
    assert reach == {
        "iam.tf#aws_iam_user.ci": ["admin"],
        "iam.tf#aws_iam_user_policy.ci": [],
        "iam.tf#aws_iam_role.reader": ["kms", "s3"],
        "iam.tf#aws_iam_role_policy.reader": [],
    }

    def found(*args: str) -> list[tuple[str, list[str]]]:
        assert main(["inventory", "--db", db, "--format", "json", *args]) == 0
        return [(e["identity"], e["reach"]) for e in json.loads(capsys.readouterr().out)]

    assert found("--reach", "admin", "--person", "bob@acme.example") == [
        ("iam.tf#aws_iam_user.ci", ["admin"])
    ]
    assert found("--reach", "s3") == [("iam.tf#aws_iam_role.reader", ["kms", "s3"])]


def test_lineage_of_a_person_from_the_inventory(git_repo, tmp_path, capsys) -> None:
    code, db = aggregate_iam(git_repo, tmp_path)
    assert code == 1
    capsys.readouterr()
    assert main(["lineage", "--inventory", db, "--person", "bob@acme.example"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == [
        "acme/iam: iam.tf:1: aws_iam_user ci (orphaned since 2026-11-01; first seen 2026-11-01, "
        "last seen 2026-11-01)",
        "    people: bob@acme.example (provisioner, departed)",
        "    reach: admin",
        "    links: iam.tf#aws_iam_user_policy.ci grants it",
        "    decide: carol@acme.example",
    ]
    assert lines[-1] == "4 identities"
    assert main(["lineage", "--inventory", db, "--person", "x@y", "--format", "html"]) == 2
    assert "--inventory takes --person and --format text or json" in capsys.readouterr().err


KEY = 'resource "aws_iam_access_key" "{name}" {{\n  user = "ci"\n}}\n'


def test_one_person_is_one_node_whatever_alias_names_him(git_repo, tmp_path, capsys) -> None:
    """Bob commits from his noreply address and his work address, and CODEOWNERS names his
    login: the aggregate JSON, the inventory, `nhi lineage` and the map see one Bob (#23)."""
    git_repo.write("web.tf", KEY.format(name="web"))
    git_repo.commit("web key", author="Bob Baker <4242+bobb@users.noreply.github.com>")
    git_repo.write("cli.tf", KEY.format(name="cli"))
    git_repo.commit("cli key", author="Bob Baker <bob@acme.example>")
    git_repo.write("ops.tf", KEY.format(name="ops"))
    git_repo.write("CODEOWNERS", "/ops.tf @bobb\n")
    git_repo.commit("ops key", author="Carol Chen <carol@acme.example>")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(repository_name="acme/keys"))
    (tmp_path / "keys.json").write_text(render(report))
    (tmp_path / "roster.csv").write_text(ROSTER)
    db = str(tmp_path / "inventory.sqlite")
    argv = ["aggregate", str(tmp_path / "keys.json"), "--roster", str(tmp_path / "roster.csv"),
            "--as-of", "2026-11-01", "--db", db]  # fmt: skip
    argv += ["--write", f"html={tmp_path / 'map.html'}"]
    assert main([*argv, "--format", "json"]) == 1
    people = json.loads(capsys.readouterr().out)["people"]
    assert [p for p in people if p["person"] == "bob@acme.example"] == [
        {
            "person": "bob@acme.example",
            "state": "departed",
            "aliases": ["4242+bobb@users.noreply.github.com", "@bobb", "bob@acme.example"],
            "provisioned": 2,
            "owns": 1,
            "decides": 0,
        }
    ]
    # Asked by any alias, the inventory answers with all three keys.
    for alias in ("@bobb", "bobb@users.noreply.github.com", "Bob@acme.example"):
        assert main(["inventory", "--db", db, "--person", alias, "--format", "json"]) == 0
        found = json.loads(capsys.readouterr().out)
        assert [e["identity"] for e in found] == [
            "cli.tf#aws_iam_access_key.cli",
            "ops.tf#aws_iam_access_key.ops",
            "web.tf#aws_iam_access_key.web",
        ], alias
    # The map draws one Bob, and every key points at him.
    page = (tmp_path / "map.html").read_text()
    data = json.loads(re.search(r'id="nhi-data">(.*?)</script>', page, re.S)[1])
    assert sorted(n["key"] for n in data["nodes"] if n["layer"] == 0) == [
        "p:bob@acme.example",
        "p:carol@acme.example",
    ]
    assert sorted(e["to"] for e in data["edges"] if e["from"] == "p:bob@acme.example") == [
        "acme/keys:cli.tf#aws_iam_access_key.cli",
        "acme/keys:ops.tf#aws_iam_access_key.ops",
        "acme/keys:web.tf#aws_iam_access_key.web",
    ]
    # Scanning directly, the roster joins the aliases; without it, the noreply address is
    # still @bobb, but nothing says that bob@acme.example is him.
    lineage = ["lineage", "--repo", str(git_repo.root), "--person", "@bobb", "--format", "json"]
    assert main([*lineage, "--roster", str(tmp_path / "roster.csv")]) == 0
    entries = json.loads(capsys.readouterr().out)["identities"]
    assert [(e["id"], e["roles"]) for e in entries] == [
        ("cli.tf#aws_iam_access_key.cli", ["provisioned"]),
        ("ops.tf#aws_iam_access_key.ops", ["owns"]),
        ("web.tf#aws_iam_access_key.web", ["provisioned"]),
    ]
    assert main(lineage) == 0
    entries = json.loads(capsys.readouterr().out)["identities"]
    assert [(e["id"], e["roles"]) for e in entries] == [
        ("ops.tf#aws_iam_access_key.ops", ["owns"]),
        ("web.tf#aws_iam_access_key.web", ["provisioned"]),
    ]
    assert main(["lineage", "--inventory", db, "--person", "@bobb", "--roster", "x"]) == 2
