# Federation trusts and the subjects they admit, shapes from the provider docs:
#   https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/federated_identity_credential
#   https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/iam_workload_identity_pool_provider
#   https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/jwt_auth_backend_role
#   https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect

resource "azurerm_user_assigned_identity" "deploy" {
  name                = "deploy"
  resource_group_name = "rg-ci"
  location            = "westeurope"
}

resource "azurerm_federated_identity_credential" "main" {
  name                = "github-main"
  resource_group_name = "rg-ci"
  parent_id           = azurerm_user_assigned_identity.deploy.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:${var.github_repository}:environment:production"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  workload_identity_pool_id          = "github"
  workload_identity_pool_provider_id = "github-actions"
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
  }
  attribute_condition = <<-EOT
    assertion.repository_owner == 'example-org'
  EOT
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

# No attribute_condition written: no subject fact (policies judge what that means)
resource "google_iam_workload_identity_pool_provider" "open" {
  workload_identity_pool_id          = "github"
  workload_identity_pool_provider_id = "github-open"
  attribute_mapping = {
    "google.subject" = "assertion.sub"
  }
  oidc {
    issuer_uri = var.issuer_uri
  }
}

resource "vault_jwt_auth_backend_role" "deploy" {
  backend           = "jwt"
  role_name         = "deploy"
  role_type         = "jwt"
  user_claim        = "actor"
  bound_audiences   = ["https://github.com/example-org"]
  bound_claims_type = "glob"
  bound_claims = {
    repository = "example-org/app"
    ref        = "refs/heads/main"
  }
  token_policies = ["deploy"]
}
