# MongoDB Atlas service accounts and what surrounds them, as the provider documents them
# (registry.terraform.io/providers/mongodb/mongodbatlas/latest/docs: service_account,
# service_account_secret, service_account_access_list_entry, service_account_project_assignment,
# access_list_api_key, api_key_project_assignment).
resource "mongodbatlas_service_account" "ci" {
  org_id      = var.org_id
  name        = "ci"
  description = "CI deployments"
  roles       = ["ORG_MEMBER"]
}

resource "mongodbatlas_service_account_secret" "ci" {
  org_id                     = var.org_id
  client_id                  = mongodbatlas_service_account.ci.client_id
  secret_expires_after_hours = 2160
}

resource "mongodbatlas_service_account_access_list_entry" "ci" {
  org_id     = var.org_id
  client_id  = mongodbatlas_service_account.ci.client_id
  cidr_block = "10.0.0.0/16"
}

resource "mongodbatlas_service_account_project_assignment" "ci" {
  project_id = var.project_id
  client_id  = mongodbatlas_service_account.ci.client_id
  roles      = ["GROUP_READ_ONLY"]
}

resource "mongodbatlas_access_list_api_key" "legacy" {
  org_id     = var.org_id
  api_key_id = var.api_key_id
  cidr_block = "10.0.0.0/16"
}

resource "mongodbatlas_api_key_project_assignment" "legacy" {
  project_id = var.project_id
  api_key_id = var.api_key_id
  roles      = ["GROUP_OWNER"]
}
