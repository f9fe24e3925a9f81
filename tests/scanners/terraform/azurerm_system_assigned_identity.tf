# A system-assigned managed identity is created by the resource that declares it.
# Shapes from the provider docs:
#   https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/linux_function_app#identity
#   https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/linux_virtual_machine#identity
#   https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/kubernetes_cluster#identity
#   https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/resource#identity
#   https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview

resource "azurerm_linux_function_app" "orders" {
  name                = "orders-func"
  resource_group_name = "rg-orders"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/xxxx/plan"

  site_config {}

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "orders_reads_storage" {
  scope                = "/subscriptions/xxxx/resourceGroups/rg-orders"
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_linux_function_app.orders.identity[0].principal_id
}

resource "azurerm_linux_virtual_machine" "build" {
  name                = "build-vm"
  resource_group_name = "rg-build"
  location            = "westeurope"
  size                = "Standard_B2s"

  identity {
    type         = "SystemAssigned, UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.build.id]
  }
}

resource "azurerm_user_assigned_identity" "build" {
  name                = "build-uami"
  resource_group_name = "rg-build"
  location            = "westeurope"
}

# Only attaches the identity above: nothing new
resource "azurerm_linux_web_app" "portal" {
  name = "portal"

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.build.id]
  }
}

# The type is not known until plan time: not reported
resource "azurerm_windows_function_app" "maybe" {
  name = "maybe"

  identity {
    type = var.identity_type
  }
}

resource "azurerm_kubernetes_cluster" "main" {
  name       = "aks-main"
  dns_prefix = "aks"

  dynamic "identity" {
    for_each = var.use_system_identity ? [1] : []
    content {
      type = "SystemAssigned"
    }
  }
}

resource "azapi_resource" "search" {
  type      = "Microsoft.Search/searchServices@2023-11-01"
  name      = "search-main"
  parent_id = "/subscriptions/xxxx/resourceGroups/rg-search"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_storage_account" "plain" {
  name                     = "plainstorage"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
