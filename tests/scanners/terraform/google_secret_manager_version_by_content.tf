# A secret version is a credential when its secret's id or its data says so; an issuer URI
# kept in Secret Manager is configuration (#19).
# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/secret_manager_secret_version
resource "google_secret_manager_secret" "api_key" {
  secret_id = "stripe-api-key"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "api_key" {
  secret      = google_secret_manager_secret.api_key.id
  secret_data = var.stripe
}

resource "google_secret_manager_secret" "issuer" {
  secret_id = "issuer"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "issuer" {
  secret      = google_secret_manager_secret.issuer.id
  secret_data = "https://accounts.google.com"
}

resource "google_secret_manager_secret_version" "sa_key" {
  secret      = google_secret_manager_secret.issuer.id
  secret_data = base64decode(google_service_account_key.app.private_key)
}
