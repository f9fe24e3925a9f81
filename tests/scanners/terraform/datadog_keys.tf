# Datadog: API and application keys, a service account with its own application key.
resource "datadog_api_key" "ingest" {
  name = "ingest"
}

resource "datadog_application_key" "terraform" {
  name = "terraform"
}

resource "datadog_service_account" "bot" {
  email = "bot@example.com"
  name  = "bot"
}

resource "datadog_service_account_application_key" "bot" {
  service_account_id = datadog_service_account.bot.id
  name               = "bot key"
}
