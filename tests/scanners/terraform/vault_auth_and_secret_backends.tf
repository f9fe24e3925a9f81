# Vault: a JWT auth backend trusts an external issuer (a grant), *_auth_backend_role says who
# may log in (an identity), a *_secret_backend holds its root credential, group membership is
# a grant. https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/jwt_auth_backend, .../gcp_auth_backend_role,
# .../aws_secret_backend, .../identity_group_member_entity_ids
resource "vault_jwt_auth_backend" "github" {
  path               = "jwt-github"
  oidc_discovery_url = "https://token.actions.githubusercontent.com"
  bound_issuer       = "https://token.actions.githubusercontent.com"
}

resource "vault_gcp_auth_backend_role" "ci" {
  role                   = "ci"
  type                   = "iam"
  backend                = vault_auth_backend.gcp.path
  bound_service_accounts = [google_service_account.ci.email]
  token_policies         = ["ci"]
}

resource "vault_aws_secret_backend" "aws" {
  access_key = var.vault_aws_access_key
  secret_key = var.vault_aws_secret_key
}

resource "vault_kv_secret_backend_v2" "config" {
  mount        = vault_mount.kvv2.path
  max_versions = 5
}

resource "vault_identity_group_member_entity_ids" "ops" {
  exclusive         = true
  member_entity_ids = [vault_identity_entity.ci.id]
  group_id          = vault_identity_group.ops.id
}

# A Vault identity group carries policies for its members, like an IAM group: a grant.
# https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/identity_group
resource "vault_identity_group" "ops" {
  name     = "ops"
  type     = "internal"
  policies = ["ops"]
}
