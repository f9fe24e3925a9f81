# A container registry token's password (docker login for a machine): a credential.
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/container_registry_token_password
resource "azurerm_container_registry_token_password" "pull" {
  container_registry_token_id = azurerm_container_registry_token.pull.id

  password1 {
    expiry = "2027-03-22T17:57:36+08:00"
  }
}
