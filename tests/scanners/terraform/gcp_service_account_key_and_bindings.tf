# GCP: a service account, its key, project and SA-level IAM bindings, labels as owner hints.
resource "google_service_account" "deployer" {
  account_id   = "deployer"
  display_name = "CI deployer"
}

resource "google_service_account_key" "deployer" {
  service_account_id = google_service_account.deployer.name
}

resource "google_project_iam_member" "deployer_editor" {
  project = var.project
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_service_account_iam_binding" "impersonate" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.serviceAccountTokenCreator"
  members            = ["user:alice@example.com"]
}

resource "google_storage_bucket_iam_member" "reader" {
  bucket = "logs"
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_apikeys_key" "maps" {
  name         = "maps"
  display_name = "Maps key"
  labels = {
    owner = "maps-team"
    env   = "prod"
  }
}
