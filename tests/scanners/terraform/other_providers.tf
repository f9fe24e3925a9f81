# Smaller providers in the catalog table: New Relic, Tailscale, MongoDB Atlas, Confluent.
resource "newrelic_api_access_key" "ingest" {
  account_id  = 1
  key_type    = "INGEST"
  ingest_type = "LICENSE"
}

resource "tailscale_tailnet_key" "ci" {
  reusable  = true
  ephemeral = true
}

resource "mongodbatlas_api_key" "ops" {
  org_id     = "org"
  role_names = ["ORG_READ_ONLY"]
}

resource "confluent_service_account" "app" {
  display_name = "app"
}

resource "confluent_api_key" "app" {
  display_name = "app"
}

resource "confluent_role_binding" "app" {
  principal   = "User:${confluent_service_account.app.id}"
  role_name   = "CloudClusterAdmin"
  crn_pattern = "crn://x"
}
