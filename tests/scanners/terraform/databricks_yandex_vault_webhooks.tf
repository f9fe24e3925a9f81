# Credentials and grants from each provider's docs:
#   https://registry.terraform.io/providers/databricks/databricks/latest/docs/resources/storage_credential
#   https://registry.terraform.io/providers/databricks/databricks/latest/docs/resources/secret
#   https://registry.terraform.io/providers/databricks/databricks/latest/docs/resources/secret_acl
#   https://registry.terraform.io/providers/databricks/databricks/latest/docs/resources/permission_assignment
#   https://registry.terraform.io/providers/yandex-cloud/yandex/latest/docs/resources/lockbox_secret_version
#   https://registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/database_secret_backend_connection
#   https://registry.terraform.io/providers/digitalocean/digitalocean/latest/docs/resources/container_registry_docker_credentials
#   https://registry.terraform.io/providers/integrations/github/latest/docs/resources/repository_webhook

resource "databricks_storage_credential" "external" {
  name = "external-data"
  aws_iam_role {
    role_arn = aws_iam_role.external_data.arn
  }
}

resource "databricks_secret" "client_secret" {
  key          = "client-secret"
  string_value = var.service_principal_client_secret
  scope        = databricks_secret_scope.app.id
}

# An identifier kept in a secret scope: no credential
resource "databricks_secret" "tenant" {
  key          = "tenant-id"
  string_value = var.tenant_id
  scope        = databricks_secret_scope.app.id
}

resource "databricks_secret_acl" "app_reads" {
  principal  = databricks_service_principal.app.application_id
  permission = "READ"
  scope      = databricks_secret_scope.app.name
}

resource "databricks_permission_assignment" "app_user" {
  principal_id = databricks_service_principal.app.id
  permissions  = ["USER"]
}

resource "yandex_lockbox_secret" "approle" {
  name = "approle-secret-id"
}

resource "yandex_lockbox_secret_version" "approle" {
  secret_id = yandex_lockbox_secret.approle.id
  entries {
    key        = "secret_id"
    text_value = vault_approle_auth_backend_role_secret_id.app.secret_id
  }
}

resource "vault_database_secret_backend_connection" "postgres" {
  backend       = "database"
  name          = "postgres"
  allowed_roles = ["app"]

  postgresql {
    connection_url = "postgres://{{username}}:{{password}}@db.example.com:5432/app"
    username       = "vault"
    password       = var.vault_db_password
  }
}

resource "digitalocean_container_registry_docker_credentials" "ci" {
  registry_name = "example-registry"
  write         = true
}

resource "github_repository_webhook" "signed" {
  repository = "example"
  events     = ["push"]

  configuration {
    url          = "https://ci.example.com/hook"
    content_type = "json"
    secret       = var.webhook_secret
  }
}

# No signing secret: a URL, not a credential
resource "github_repository_webhook" "unsigned" {
  repository = "example"
  events     = ["push"]

  configuration {
    url          = "https://chat.example.com/hook"
    content_type = "json"
  }
}
