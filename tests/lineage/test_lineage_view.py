"""`nhi lineage` on the demo organisation: a person's view in every format, one identity,
links across repositories, and the command line's wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import demo, lineage, pipeline, policy
from scanner.cli import main
from scanner.lineage import view as lineage_view
from scanner.model import Link


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> list:
    folder = tmp_path_factory.mktemp("org")
    options = pipeline.Options(policies=policy.builtin(), today=demo.TODAY)
    return [pipeline.scan(repo, options=options) for repo in demo.build(folder)]


def test_a_person_sees_what_they_provisioned_its_reach_links_and_consumers(org) -> None:
    text = lineage_view.render(org, person="bob@acme.example", identity=None, fmt="text")
    assert text == (
        "bob@acme.example: 3 identities, 2 without an accountable owner\n"
        "\n"
        "acme/payments-infra\n"
        "  deployer.tf#aws_iam_user_policy_attachment.ci_deployer  "
        "[provisioned; owner @acme/payments-platform]\n"
        "      grants -> deployer.tf#aws_iam_user.ci_deployer\n"
        "\n"
        "acme/data-pipeline\n"
        "  etl/service_accounts.tf#google_service_account.etl  "
        "[provisioned; ORPHAN: no accountable owner]\n"
        "      <- belongs_to etl/service_accounts.tf#google_service_account_key.etl\n"
        "  etl/service_accounts.tf#google_service_account_key.etl  "
        "[provisioned; ORPHAN: no accountable owner]\n"
        "      belongs_to -> etl/service_accounts.tf#google_service_account.etl\n"
        "      stored_as -> etl/service_accounts.tf#github_actions_secret.etl_key\n"
        "      used by: .github/workflows/load.yml#secrets/ETL_SA_KEY\n"
    )


def test_a_team_owner_sees_what_it_owns_with_reach(org) -> None:
    text = lineage_view.render(org, person="@acme/payments-platform", identity=None, fmt="text")
    assert text.splitlines()[:5] == [
        "@acme/payments-platform: 4 identities, 0 without an accountable owner",
        "",
        "acme/payments-infra",
        "  deployer.tf#aws_iam_user.ci_deployer  [owns; owner @acme/payments-platform]",
        "      reach: policy arn:aws:iam::aws:policy/PowerUserAccess",
    ]


def test_json_view_of_one_identity(org) -> None:
    wanted = "acme/data-pipeline:etl/service_accounts.tf#github_actions_secret.etl_key"
    document = json.loads(lineage_view.render(org, person=None, identity=wanted, fmt="json"))
    assert document["identities"] == [
        {
            "repository": "acme/data-pipeline",
            "id": "etl/service_accounts.tf#github_actions_secret.etl_key",
            "kind": "github_actions_secret",
            "name": "etl_key",
            "roles": [],
            "owners": [],
            "orphan": True,
            "reach": None,
            "links": [
                {
                    "from": ".github/workflows/load.yml#secrets/ETL_SA_KEY",
                    "to": "etl/service_accounts.tf#github_actions_secret.etl_key",
                    "relation": "consumes",
                    "evidence": "secrets.ETL_SA_KEY is created by github_actions_secret.etl_key "
                    "in data-pipeline",
                    "attributes": {},
                },
                {
                    "from": "etl/service_accounts.tf#google_service_account_key.etl",
                    "to": "etl/service_accounts.tf#github_actions_secret.etl_key",
                    "relation": "stored_as",
                    "evidence": "github_actions_secret.etl_key writes google_service_account_key"
                    ".etl into github_actions_secret ETL_SA_KEY in repository data-pipeline",
                    "attributes": {
                        "store": "github_actions_secret",
                        "secret_name": "ETL_SA_KEY",
                        "repository": "data-pipeline",
                        "attribute": "plaintext_value",
                    },
                },
            ],
            "consumers": [".github/workflows/load.yml#secrets/ETL_SA_KEY"],
        }
    ]


def test_mermaid_view_names_both_ends_of_each_link(org) -> None:
    text = lineage_view.render(
        org, person=None, identity="etl/service_accounts.tf#google_service_account_key.etl",
        fmt="mermaid")  # fmt: skip
    assert text == (
        "flowchart LR\n"
        '  n0["google_service_account_key etl"]\n'
        '  n1(["bob@acme.example"])\n'
        "  n1 -->|provisioned| n0\n"
        '  n2{{"no owner"}}\n'
        "  n2 -.- n0\n"
        '  n3["google_service_account etl"]\n'
        "  n0 -->|belongs_to| n3\n"
        '  n4["github_actions_secret etl_key"]\n'
        "  n0 -->|stored_as| n4\n"
    )


def test_nobody_found(org) -> None:
    text = lineage_view.render(org, person="zed@acme.example", identity=None, fmt="text")
    assert text == "zed@acme.example: nothing found\n"


def test_a_secret_created_for_another_repository_is_linked_across(git_repo, tmp_path) -> None:
    git_repo.write(
        "secrets.tf",
        'resource "github_actions_secret" "token" {\n  repository  = "app"\n'
        '  secret_name = "DEPLOY_TOKEN"\n}\n',
    )
    git_repo.commit("infra")
    app = tmp_path / "app"
    (app / ".github/workflows").mkdir(parents=True)
    (app / ".github/workflows/ci.yml").write_text(
        "on: push\njobs:\n  ci:\n    runs-on: x\n    steps:\n"
        "      - run: echo ${{ secrets.DEPLOY_TOKEN }} ${{ secrets.OTHER }}\n"
    )
    infra_report = pipeline.scan(git_repo.root, options=pipeline.Options(
        repository_name="acme/infra", attribution=False))  # fmt: skip
    app_report = pipeline.scan(app, options=pipeline.Options(
        repository_name="acme/app", attribution=False))  # fmt: skip
    assert lineage.across([infra_report, app_report]) == (
        Link(
            source=".github/workflows/ci.yml#secrets/DEPLOY_TOKEN",
            to="secrets.tf#github_actions_secret.token",
            relation="consumes",
            evidence="secrets.DEPLOY_TOKEN is created by github_actions_secret.token in acme/infra",
            attributes={"to_repository": "acme/infra", "from_repository": "acme/app"},
        ),
    )
    wanted = "secrets.tf#github_actions_secret.token"
    text = lineage_view.render([infra_report, app_report], person=None, identity=wanted, fmt="text")
    assert "      used by: .github/workflows/ci.yml#secrets/DEPLOY_TOKEN\n" in text


def test_cli_needs_a_person_or_an_identity(tmp_path: Path, capsys) -> None:
    assert main(["lineage", "--repo", str(tmp_path)]) == 2
    assert "give exactly one of --person and --identity" in capsys.readouterr().err


def test_cli_writes_the_map(tmp_path: Path, capsys) -> None:
    (tmp_path / "iam.tf").write_text('resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n')
    out = tmp_path / "map.html"
    assert main(["lineage", "--repo", str(tmp_path), "--format", "html", "--output", str(out)]) == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert '"label":"aws_iam_user ci"' in page  # compact JSON (#27: the page's size)
    # Standalone: nothing is fetched. The policy allows no source but inline script and style,
    # and besides the vendored library (byte for byte the pinned file) no src, href or URL.
    assert "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'" in page
    library = (Path(lineage_view.__file__).parent / "vendor" / "cytoscape.min.js").read_text()
    assert page.count(library) == 1
    rest = page.replace(library, "")
    assert "src=" not in rest and "href=" not in rest and "://" not in rest


def test_the_cli_spells_out_the_lineage_formats() -> None:
    from scanner.cli import LINEAGE_FORMATS

    assert LINEAGE_FORMATS == lineage_view.FORMATS
