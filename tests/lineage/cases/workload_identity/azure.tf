# Who runs as an Azure identity: federated identity credentials.
# https://learn.microsoft.com/en-us/azure/aks/workload-identity-deploy-cluster (subject
# `system:serviceaccount:<namespace>:<name>`, the `azure.workload.identity/client-id` annotation)
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/federated_identity_credential
# (`parent_id`, later `user_assigned_identity_id`)
# https://registry.terraform.io/providers/hashicorp/azuread/latest/docs/resources/application_federated_identity_credential
# (GitHub Actions: issuer https://token.actions.githubusercontent.com, subject repo:ORG/REPO:...)
resource "azurerm_user_assigned_identity" "worker" {
  name                = "orders-worker"
  resource_group_name = "orders"
  location            = "westeurope"
}

resource "azurerm_federated_identity_credential" "worker" {
  name                = "orders-worker"
  resource_group_name = "orders"
  audience            = ["api://AzureADTokenExchange"]
  issuer              = "https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/"
  parent_id           = azurerm_user_assigned_identity.worker.id
  subject             = "system:serviceaccount:orders:worker"
}

resource "azurerm_federated_identity_credential" "deploy" {
  name                      = "orders-deploy"
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = "https://token.actions.githubusercontent.com"
  user_assigned_identity_id = azurerm_user_assigned_identity.worker.id
  subject                   = "repo:acme/orders:environment:prod"
}

resource "kubernetes_service_account_v1" "worker" {
  metadata {
    name      = "worker"
    namespace = "orders"
    annotations = {
      "azure.workload.identity/client-id" = azurerm_user_assigned_identity.worker.client_id
    }
  }
}

resource "azuread_application" "reporting" {
  display_name = "reporting"
}

resource "azuread_application_federated_identity_credential" "reporting" {
  application_id = azuread_application.reporting.id
  display_name   = "reporting"
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = var.aks_oidc_issuer_url
  subject        = "system:serviceaccount:${var.namespace}:reporting"
}
