# Vault: an AppRole with a secret id, a JWT role for GitHub Actions, a policy.
resource "vault_policy" "deploy" {
  name   = "deploy"
  policy = <<-EOT
    path "secret/data/deploy/*" {
      capabilities = ["read"]
    }
  EOT
}

resource "vault_approle_auth_backend_role" "deploy" {
  backend        = "approle"
  role_name      = "deploy"
  token_policies = [vault_policy.deploy.name]
}

resource "vault_approle_auth_backend_role_secret_id" "deploy" {
  backend   = "approle"
  role_name = vault_approle_auth_backend_role.deploy.role_name
}

resource "vault_jwt_auth_backend_role" "github" {
  backend         = "jwt"
  role_name       = "github-actions"
  role_type       = "jwt"
  bound_audiences = ["https://github.com/org"]
  user_claim      = "actor"
  token_policies  = ["deploy"]
}
