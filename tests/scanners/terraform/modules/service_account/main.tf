# Inside a local module: found because the module's folder is scanned like any other.
resource "google_service_account" "this" {
  account_id = var.name
}

resource "google_service_account_key" "this" {
  count              = var.create_key ? 1 : 0
  service_account_id = google_service_account.this.name
}
