# A service account for the data pipeline, a key for it, and its project role.
resource "google_service_account" "pipeline" {
  account_id   = "pipeline"
  display_name = "Data pipeline"
}

resource "google_service_account_key" "pipeline" {
  service_account_id = google_service_account.pipeline.name
}

resource "google_project_iam_member" "pipeline_bq" {
  project = "analytics"
  role    = "roles/bigquery.dataEditor"
  member  = "serviceAccount:${google_service_account.pipeline.email}"
}
