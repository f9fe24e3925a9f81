# Shared access authorization rules hand out SAS keys and connection strings: credentials.
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/servicebus_namespace_authorization_rule,
# .../eventhub_authorization_rule, .../relay_hybrid_connection_authorization_rule
resource "azurerm_servicebus_namespace_authorization_rule" "sender" {
  name         = "sender"
  namespace_id = azurerm_servicebus_namespace.main.id
  listen       = false
  send         = true
  manage       = false
}

resource "azurerm_eventhub_authorization_rule" "reader" {
  name                = "reader"
  namespace_name      = azurerm_eventhub_namespace.main.name
  eventhub_name       = azurerm_eventhub.events.name
  resource_group_name = azurerm_resource_group.main.name
  listen              = true
}

resource "azurerm_relay_hybrid_connection_authorization_rule" "agent" {
  name                   = "agent"
  hybrid_connection_name = azurerm_relay_hybrid_connection.main.name
  namespace_name         = azurerm_relay_namespace.main.name
  resource_group_name    = azurerm_resource_group.main.name
  send                   = true
}
