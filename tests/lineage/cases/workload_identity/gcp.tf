# Who runs as a GCP service account: GKE Workload Identity bindings, a Kubernetes service account
# annotated with it, and impersonation by another service account.
# https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity (the member
# `serviceAccount:PROJECT_ID.svc.id.goog[NAMESPACE/KSA_NAME]`, the `principal://` form, and the
# `iam.gke.io/gcp-service-account` annotation)
# https://cloud.google.com/iam/docs/service-account-permissions (roles that let a member act as
# a service account); the binding's service account is the resource, not what gets the role:
# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/google_service_account_iam
resource "google_service_account" "api" {
  account_id = "payments-api"
}

resource "google_service_account" "ci" {
  account_id = "ci"
}

resource "google_service_account_iam_member" "api_workload_identity" {
  service_account_id = google_service_account.api.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:acme-prod.svc.id.goog[payments/api]"
}

resource "google_service_account_iam_binding" "api_workload_identity_principal" {
  service_account_id = google_service_account.api.name
  role               = "roles/iam.workloadIdentityUser"
  members = [
    "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/acme-prod.svc.id.goog/subject/ns/payments/sa/worker",
  ]
}

resource "google_service_account_iam_member" "ci_impersonates_api" {
  service_account_id = google_service_account.api.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_service_account_iam_member" "api_admins" {
  service_account_id = google_service_account.api.name
  role               = "roles/iam.serviceAccountAdmin"
  member             = "group:platform@acme.example"
}

resource "kubernetes_service_account" "api" {
  metadata {
    name      = "api"
    namespace = "payments"
    annotations = {
      "iam.gke.io/gcp-service-account" = google_service_account.api.email
    }
  }
}
