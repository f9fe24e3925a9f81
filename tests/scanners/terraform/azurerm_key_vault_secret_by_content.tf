# A key vault secret is a credential only when its name or value says so: an API server URL or
# an issuer URI stored in a vault is configuration (#19).
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/key_vault_secret
resource "azurerm_key_vault_secret" "api_server" {
  name         = "aks-api-server-url"
  value        = azurerm_kubernetes_cluster.main.kube_config[0].host
  key_vault_id = azurerm_key_vault.main.id
}

resource "azurerm_key_vault_secret" "issuer" {
  name         = "oidc-issuer-uri"
  value        = azurerm_kubernetes_cluster.main.oidc_issuer_url
  key_vault_id = azurerm_key_vault.main.id
}

resource "azurerm_key_vault_secret" "region" {
  name         = "region"
  value        = "westeurope"
  key_vault_id = azurerm_key_vault.main.id
}

resource "azurerm_key_vault_secret" "db_password" {
  name         = "db-password"
  value        = var.db_admin
  key_vault_id = azurerm_key_vault.main.id
}

resource "azurerm_key_vault_secret" "storage" {
  name         = "storage"
  value        = azurerm_storage_account.main.primary_connection_string
  key_vault_id = azurerm_key_vault.main.id
}

resource "azurerm_key_vault_secret" "client" {
  name         = var.name
  value        = azuread_application_password.ci.value
  key_vault_id = azurerm_key_vault.main.id
}

resource "azurerm_key_vault_secret" "kubeconfig" {
  name         = "kubeconfig"
  value        = azurerm_kubernetes_cluster.main.kube_config_raw
  content_type = "text/plain"
  key_vault_id = azurerm_key_vault.main.id
}

# Nothing says what it holds (a module for secrets): a secret store holds a credential by default.
resource "azurerm_key_vault_secret" "this" {
  name         = var.name
  value        = var.value
  key_vault_id = var.key_vault_resource_id
}
