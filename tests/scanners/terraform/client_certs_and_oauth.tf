# Credentials a resource mints or holds, per the providers' docs: google_sql_ssl_cert creates a
# client certificate and its private key (registry.terraform.io/providers/hashicorp/google/latest/docs/resources/sql_ssl_cert);
# tfe_oauth_client holds a VCS provider's OAuth token (registry.terraform.io/providers/hashicorp/tfe/latest/docs/resources/oauth_client).
resource "google_sql_ssl_cert" "app" {
  common_name = "app-client"
  instance    = google_sql_database_instance.main.name
}

resource "tfe_oauth_client" "github" {
  organization     = "acme"
  api_url          = "https://api.github.com"
  http_url         = "https://github.com"
  oauth_token      = var.github_oauth_token
  service_provider = "github"
}
