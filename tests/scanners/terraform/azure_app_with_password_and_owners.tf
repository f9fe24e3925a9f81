# Azure AD app, service principal and a password with an expiry; literal owners are hints.
resource "azuread_application" "ci" {
  display_name = "ci"
  owners       = ["00000000-0000-0000-0000-000000000001", data.azuread_client_config.current.object_id]
}

resource "azuread_service_principal" "ci" {
  client_id = azuread_application.ci.client_id
  owners    = [data.azuread_client_config.current.object_id]
}

resource "azuread_application_password" "ci" {
  application_id = azuread_application.ci.id
  end_date       = "2027-01-01T00:00:00Z"
}

resource "azurerm_role_assignment" "ci_contributor" {
  scope                = azurerm_resource_group.main.id
  role_definition_name = "Contributor"
  principal_id         = azuread_service_principal.ci.object_id
}

resource "azurerm_user_assigned_identity" "app" {
  name                = "app"
  location            = "westeurope"
  resource_group_name = "rg"
  tags = {
    Owner = "team-payments@example.com"
  }
}

resource "azurerm_federated_identity_credential" "gh" {
  name      = "github"
  parent_id = azurerm_user_assigned_identity.app.id
  subject   = "repo:org/app:ref:refs/heads/main"
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://token.actions.githubusercontent.com"
}

resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
}
