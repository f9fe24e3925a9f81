# An Entra application, its service principal, a password stored in Secrets Manager, a role.
resource "azuread_application" "ci" {
  display_name = "ci"
}

resource "azuread_service_principal" "ci" {
  client_id = azuread_application.ci.client_id
}

resource "azuread_application_password" "ci" {
  application_id = azuread_application.ci.id
}

resource "azurerm_role_assignment" "ci_owner" {
  scope                = "/subscriptions/0000"
  role_definition_name = "Owner"
  principal_id         = azuread_service_principal.ci.object_id
}

resource "aws_secretsmanager_secret" "ci" {
  name = "azure/ci"
}

resource "aws_secretsmanager_secret_version" "ci" {
  secret_id     = aws_secretsmanager_secret.ci.id
  secret_string = azuread_application_password.ci.value
}
