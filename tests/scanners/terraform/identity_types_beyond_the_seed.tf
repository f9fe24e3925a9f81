# Resource types that declare credentials, trusts or grants, from each provider's docs:
#   https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/certificate_signing_request
#   https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/pki_secret_backend_role
#   https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/ssh_secret_backend_role
#   https://registry.terraform.io/providers/keycloak/keycloak/latest/docs/resources/openid_client
#   https://registry.terraform.io/providers/keycloak/keycloak/latest/docs/resources/openid_client_service_account_role
#   https://registry.terraform.io/providers/digitalocean/digitalocean/latest/docs/resources/ssh_key
#   https://registry.terraform.io/providers/DataDog/datadog/latest/docs/resources/integration_aws
#   https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lakeformation_permissions
#   https://registry.terraform.io/providers/snowflakedb/snowflake/latest/docs/resources/secret_with_client_credentials
#   https://registry.terraform.io/providers/Snowflake-Labs/snowflake/0.92.0/docs/resources/database_grant

resource "kubernetes_certificate_signing_request" "client" {
  metadata {
    name = "ci-client"
  }
  spec {
    usages  = ["client auth"]
    request = tls_cert_request.client.cert_request_pem
  }
  auto_approve = true
}

resource "vault_pki_secret_backend_role" "services" {
  backend          = "pki-int"
  name             = "services"
  allowed_domains  = ["svc.example.com"]
  allow_subdomains = true
  max_ttl          = 86400
}

resource "vault_ssh_secret_backend_role" "deploy" {
  name                    = "deploy"
  backend                 = "ssh-client-signer"
  key_type                = "ca"
  allow_user_certificates = true
  allowed_users           = "deploy"
}

resource "keycloak_openid_client" "backend" {
  realm_id                 = "services"
  client_id                = "orders-backend"
  access_type              = "CONFIDENTIAL"
  service_accounts_enabled = true
}

# A browser login page's client: no secret, no service account
resource "keycloak_openid_client" "spa" {
  realm_id              = "services"
  client_id             = "orders-spa"
  access_type           = "PUBLIC"
  standard_flow_enabled = true
}

resource "keycloak_openid_client_service_account_role" "backend_reads_users" {
  realm_id                = "services"
  service_account_user_id = keycloak_openid_client.backend.service_account_user_id
  client_id               = "realm-management"
  role                    = "view-users"
}

resource "digitalocean_ssh_key" "ci" {
  name       = "ci deploy key"
  public_key = tls_private_key.ci.public_key_openssh
}

resource "datadog_integration_aws" "main" {
  account_id = "123456789012"
  role_name  = "DatadogAWSIntegrationRole"
}

resource "aws_lakeformation_permissions" "etl" {
  principal   = aws_iam_role.etl.arn
  permissions = ["SELECT"]

  table {
    database_name = "sales"
    name          = "orders"
  }
}

resource "snowflake_secret_with_client_credentials" "api" {
  database        = "INTEGRATIONS"
  schema          = "SECRETS"
  name            = "ORDERS_API"
  api_authentication = "ORDERS_OAUTH"
  oauth_scopes    = ["orders.read"]
}

resource "snowflake_database_grant" "reporting" {
  database_name = "REPORTING"
  privilege     = "USAGE"
  roles         = ["REPORTER"]
}
