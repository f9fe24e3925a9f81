# A random_password handed to a module's password input or stored as a key vault secret's value.
# https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/password,
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/key_vault_secret
resource "random_password" "db" {
  length = 24
}

resource "random_password" "admin" {
  count  = var.create ? 1 : 0
  length = 24
}

module "db" {
  source      = "./modules/db"
  db_password = random_password.db.result
}

resource "azurerm_key_vault_secret" "admin" {
  name         = var.secret_name
  value        = random_password.admin[0].result
  key_vault_id = azurerm_key_vault.main.id
}
