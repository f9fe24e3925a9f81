# vault_generic_secret and vault_generic_endpoint write any Vault path; what they declare is
# read from the path. Shapes from:
#   https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/generic_secret
#   https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/generic_endpoint
#   https://developer.hashicorp.com/vault/api-docs/auth/userpass
#   https://developer.hashicorp.com/vault/api-docs/secret/ssh

resource "vault_generic_endpoint" "orders_login" {
  path                 = "auth/userpass/users/orders-${var.environment}"
  ignore_absent_fields = true
  data_json = jsonencode({
    policies = ["orders"]
    password = var.orders_password
  })
}

resource "vault_generic_secret" "ssh_deploy_role" {
  path      = "ssh-client-signer/roles/deploy"
  data_json = file("ssh/deploy.json")
}

resource "vault_generic_secret" "app" {
  path      = "secret/app/config"
  data_json = file("secrets/app.json")
}

resource "vault_generic_endpoint" "kv_roles_folder" {
  path      = "secret/data/roles/app"
  data_json = jsonencode({ data = { token = var.app_token } })
}

resource "vault_generic_endpoint" "policy" {
  path      = "sys/policy/orders"
  data_json = jsonencode({ policy = "path \"secret/data/orders/*\" { capabilities = [\"read\"] }" })
}

# Settings, no credential
resource "vault_generic_endpoint" "enable_userpass" {
  path         = "sys/auth/userpass"
  disable_read = true
  data_json    = jsonencode({ type = "userpass" })
}

resource "vault_generic_endpoint" "aws_lease" {
  path      = "aws/config/lease"
  data_json = jsonencode({ lease = "1h", lease_max = "24h" })
}

resource "vault_generic_endpoint" "gitlab_engine" {
  path                 = "gitlab/config/default"
  ignore_absent_fields = true
  data_json = jsonencode({
    base_url = "https://gitlab.example.com"
    token    = var.gitlab_token
  })
}
