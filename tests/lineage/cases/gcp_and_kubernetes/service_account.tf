# A GCP service account, its key stored in Kubernetes and Vault, and a project role.
resource "google_service_account" "etl" {
  account_id = "etl"
}

resource "google_service_account_key" "etl" {
  service_account_id = google_service_account.etl.name
}

resource "google_project_iam_member" "etl_owner" {
  project = "acme-data"
  role    = "roles/owner"
  member  = "serviceAccount:${google_service_account.etl.email}"
}
