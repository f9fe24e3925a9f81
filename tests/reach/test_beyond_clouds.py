"""Reach beyond the clouds (#25): GitHub deploy keys, Okta app scopes, Snowflake privileges and
role grants, Vault policies, each family on a real repository, aggregated, and one asked
through `nhi aggregate` and `nhi inventory --reach`. Each fixture follows its resource's page
in the Terraform registry (cited above it)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from scanner import pipeline, policy
from scanner.aggregate.resolve import aggregate
from scanner.cli import main
from scanner.reporters.json import render
from scanner.roster import Roster, parse
from tests.conftest import GitRepo

# registry.terraform.io/providers/integrations/github/latest/docs/resources/repository_deploy_key
GITHUB = """\
resource "tls_private_key" "deploy" {
  algorithm = "ED25519"
}

resource "github_repository_deploy_key" "release" {
  read_only  = false
  key        = tls_private_key.deploy.public_key_openssh
  repository = "site"
  title      = "release"
}

resource "github_repository_deploy_key" "mirror" {
  key        = tls_private_key.deploy.public_key_openssh
  repository = "site"
  title      = "mirror"
}
"""
# registry.terraform.io/providers/okta/okta/latest/docs/resources/app_oauth
# registry.terraform.io/providers/okta/okta/latest/docs/resources/app_oauth_api_scope
OKTA = """\
resource "okta_app_oauth" "sync" {
  grant_types    = ["client_credentials"]
  label          = "sync"
  response_types = ["token"]
  type           = "service"
}

resource "okta_app_oauth_api_scope" "sync" {
  scopes = ["okta.users.read", "okta.groups.manage"]
  app_id = okta_app_oauth.sync.id
  issuer = "https://acme.okta.com"
}
"""
# registry.terraform.io/providers/snowflakedb/snowflake/latest/docs/resources/account_role
# .../docs/resources/service_user
# .../docs/resources/grant_privileges_to_account_role
# .../docs/resources/grant_account_role
SNOWFLAKE = """\
resource "snowflake_service_user" "etl" {
  name     = "ETL"
  disabled = false
}

resource "snowflake_account_role" "loader" {
  name = "LOADER"
}

resource "snowflake_grant_privileges_to_account_role" "loader_db" {
  account_role_name = snowflake_account_role.loader.name
  privileges        = ["USAGE", "CREATE SCHEMA"]
  on_account_object {
    object_type = "DATABASE"
    object_name = "RAW"
  }
}

resource "snowflake_grant_privileges_to_account_role" "loader_tables" {
  account_role_name = snowflake_account_role.loader.name
  privileges        = ["INSERT", "SELECT"]
  on_schema_object {
    all {
      object_type_plural = "TABLES"
      in_schema          = "RAW.PUBLIC"
    }
  }
}

resource "snowflake_grant_account_role" "etl_loader" {
  role_name = "LOADER"
  user_name = snowflake_service_user.etl.name
}
"""
# registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/policy
# .../docs/resources/approle_auth_backend_role
# .../docs/resources/kubernetes_auth_backend_role
# .../docs/resources/token_auth_backend_role
VAULT = """\
resource "vault_policy" "deploy" {
  name   = "deploy"
  policy = <<-EOT
    path "secret/data/deploy/*" {
      capabilities = ["read", "list"]
    }
    path "secret/data/deploy/locked" {
      capabilities = ["deny"]
    }
  EOT
}

resource "vault_policy" "ops" {
  name   = "ops"
  policy = <<-EOT
    path "*" {
      capabilities = ["create", "read", "update", "delete", "list", "sudo"]
    }
  EOT
}

resource "vault_approle_auth_backend_role" "deploy" {
  token_policies = [vault_policy.deploy.name]
  role_name      = "deploy"
  backend        = "approle"
}

resource "vault_kubernetes_auth_backend_role" "ops" {
  backend                          = "kubernetes"
  role_name                        = "ops"
  bound_service_account_names      = ["ops"]
  bound_service_account_namespaces = ["ops"]
  token_policies                   = ["ops"]
}

resource "vault_token_auth_backend_role" "ci" {
  role_name        = "ci"
  allowed_policies = ["root"]
}
"""
ROSTER = "email,status,manager\nbob@acme.example,active,\n"
FILES = {"github.tf": GITHUB, "okta.tf": OKTA, "snowflake.tf": SNOWFLAKE, "vault.tf": VAULT}


def report(git_repo: GitRepo):
    for path, text in FILES.items():
        git_repo.write(path, text)
    git_repo.commit("identities", author="Bob Baker <bob@acme.example>")
    return pipeline.scan(git_repo.root, options=pipeline.Options(repository_name="acme/x"))


def reach_of(git_repo: GitRepo) -> dict[str, tuple[tuple[str, ...], list[tuple[str, str]]]]:
    day = datetime.date(2026, 11, 1)
    found = aggregate([report(git_repo)], Roster(parse(ROSTER, "roster.csv", day), as_of=day),
                      policy.builtin()).identities  # fmt: skip
    return {r.identity: (r.reach, [(f, v) for f, v, _ in r.facets if f in ("action", "resource")])
            for r in found if r.reach}  # fmt: skip


def test_each_family_reaches_its_service_with_actions_and_resources(git_repo) -> None:
    assert reach_of(git_repo) == {
        # read_only = false: the key can push; left out, it defaults to read-only
        "github.tf#github_repository_deploy_key.mirror": (
            ("github",), [("action", "github:read"), ("resource", "site")]),
        "github.tf#github_repository_deploy_key.release": (
            ("github",), [("action", "github:write"), ("resource", "site")]),
        # the scopes granted to the service app, at its authorization server
        "okta.tf#okta_app_oauth.sync": (
            ("okta",), [("action", "okta:okta.groups.manage"), ("action", "okta:okta.users.read"),
                        ("resource", "https://acme.okta.com")]),
        # privileges on the objects they are granted on
        "snowflake.tf#snowflake_account_role.loader": (
            ("snowflake",), [("action", "snowflake:create schema"), ("action", "snowflake:insert"),
                             ("action", "snowflake:select"), ("action", "snowflake:usage"),
                             ("resource", "ALL TABLES IN SCHEMA RAW.PUBLIC"),
                             ("resource", "DATABASE RAW")]),
        # the user the role is granted to (by the role's name) may use the role and do what
        # it may; the role is named by the grant too, but gains nothing from it
        "snowflake.tf#snowflake_service_user.etl": (
            ("snowflake",), [("action", "snowflake:create schema"), ("action", "snowflake:insert"),
                             ("action", "snowflake:select"), ("action", "snowflake:usage"),
                             ("resource", "ALL TABLES IN SCHEMA RAW.PUBLIC"),
                             ("resource", "DATABASE RAW"), ("resource", "ROLE LOADER")]),
        # a policy attached by reference; its `deny` path is no reach
        "vault.tf#vault_approle_auth_backend_role.deploy": (
            ("vault",), [("action", "vault:list"), ("action", "vault:read"),
                         ("resource", "secret/data/deploy/*")]),
        # sudo on every path, by the policy's name; Vault's `root` policy: all of Vault
        "vault.tf#vault_kubernetes_auth_backend_role.ops": (("vault",), [("action", "vault:*")]),
        "vault.tf#vault_token_auth_backend_role.ci": (("vault",), [("action", "vault:*")]),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("github:write", ["github.tf#github_repository_deploy_key.release"]),
        ("okta:okta.users.read", ["okta.tf#okta_app_oauth.sync"]),
        ("snowflake:select", ["snowflake.tf#snowflake_service_user.etl",
                              "snowflake.tf#snowflake_account_role.loader"]),
        ("vault:*", ["vault.tf#vault_kubernetes_auth_backend_role.ops",
                     "vault.tf#vault_token_auth_backend_role.ci"]),
        ("vault", ["vault.tf#vault_approle_auth_backend_role.deploy",
                   "vault.tf#vault_kubernetes_auth_backend_role.ops",
                   "vault.tf#vault_token_auth_backend_role.ci"]),
    ],
)  # fmt: skip
def test_the_inventory_answers_by_service_and_action(
    git_repo, tmp_path: Path, capsys, query: str, expected: list[str]
) -> None:
    out = tmp_path / "report.json"
    out.write_text(render(report(git_repo)))
    (tmp_path / "roster.csv").write_text(ROSTER)
    db = str(tmp_path / "inventory.sqlite")
    main(["aggregate", str(out), "--roster", str(tmp_path / "roster.csv"), "--db", db,
          "--as-of", "2026-11-01", "--format", "json"])  # fmt: skip
    capsys.readouterr()
    assert main(["inventory", "--db", db, "--reach", query, "--format", "json"]) == 0
    assert [e["identity"] for e in json.loads(capsys.readouterr().out)] == expected


# The grant resources of Snowflake provider 0.x, still in many repositories (a real one mixed
# them with a role grant and stopped the whole scan): registry.terraform.io/providers/
# Snowflake-Labs/snowflake/0.92.0/docs/resources/database_grant (privilege defaults to USAGE),
# .../table_grant (on_future), .../warehouse_grant and .../role_grants, beside a newer grant.
SNOWFLAKE_LEGACY = """\
resource "snowflake_user" "loader" {
  name = "LOADER"
}

resource "snowflake_role" "etl" {
  name = "ETL"
}

resource "snowflake_database_grant" "usage" {
  database_name = "RAW"
  roles         = [snowflake_role.etl.name]
}

resource "snowflake_table_grant" "future_select" {
  database_name = "RAW"
  schema_name   = "PUBLIC"
  privilege     = "SELECT"
  on_future     = true
  roles         = [snowflake_role.etl.name]
}

resource "snowflake_warehouse_grant" "operate" {
  warehouse_name = "LOADING"
  privilege      = "OPERATE"
  roles          = [snowflake_role.etl.name]
}

resource "snowflake_role_grants" "etl" {
  role_name = snowflake_role.etl.name
  users     = [snowflake_user.loader.name]
}

# registry.terraform.io/providers/snowflakedb/snowflake/latest/docs/resources/grant_ownership:
# a grant whose permissions reach does not read
resource "snowflake_grant_ownership" "raw" {
  account_role_name = snowflake_role.etl.name
  on {
    object_type = "DATABASE"
    object_name = "RAW"
  }
}
"""


def test_snowflake_grants_of_provider_0x_reach_their_roles_and_users(git_repo) -> None:
    git_repo.write("snowflake.tf", SNOWFLAKE_LEGACY)
    git_repo.commit("legacy grants", author="Bob Baker <bob@acme.example>")
    scanned = pipeline.scan(git_repo.root, options=pipeline.Options(repository_name="acme/x"))
    objects = ["DATABASE RAW", "FUTURE TABLES IN SCHEMA RAW.PUBLIC", "WAREHOUSE LOADING"]
    assert [(r.identity, r.actions, r.resources) for r in scanned.reach] == [
        ("snowflake.tf#snowflake_role.etl",
         ("snowflake:OPERATE", "snowflake:SELECT", "snowflake:USAGE"), tuple(objects)),
        ("snowflake.tf#snowflake_user.loader",
         ("snowflake:OPERATE", "snowflake:SELECT", "snowflake:USAGE"),
         tuple(sorted([*objects, "ROLE snowflake_role.etl.name"]))),
    ]  # fmt: skip
