# Several SaaS providers in one file: one credential or identity each.
resource "cloudflare_api_token" "dns" {
  name = "dns-edit"
}

resource "grafana_service_account" "mcp" {
  name = "mcp"
  role = "Viewer"
}

resource "grafana_service_account_token" "claude_code_mcp" {
  name               = "claude-code-mcp"
  service_account_id = grafana_service_account.mcp.id
}

resource "databricks_service_principal" "jobs" {
  display_name = "jobs"
}

resource "databricks_token" "pat" {
  comment          = "ci"
  lifetime_seconds = 8640000
}

resource "auth0_client" "backend" {
  name     = "backend"
  app_type = "non_interactive"
}

resource "auth0_client_grant" "backend" {
  client_id = auth0_client.backend.id
  audience  = "https://api.example.com"
  scopes    = ["read:users"]
}

resource "tfe_team_token" "ci" {
  team_id = "team-1"
}
