# A Datadog integration is a credential when it holds another service's key (Opsgenie,
# Confluent); one that holds none (a Slack channel) is not reported.
# https://registry.terraform.io/providers/DataDog/datadog/latest/docs/resources/integration_opsgenie_service_object,
# .../integration_confluent_account, .../integration_slack_channel
resource "datadog_integration_opsgenie_service_object" "ops" {
  name             = "ops"
  opsgenie_api_key = var.opsgenie_api_key
  region           = "us"
}

resource "datadog_integration_confluent_account" "main" {
  api_key    = var.confluent_key
  api_secret = var.confluent_secret
  tags       = ["team:data"]
}

resource "datadog_integration_slack_channel" "alerts" {
  account_name = "foo"
  channel_name = "#alerts"

  display {
    message  = true
    notified = false
  }
}
