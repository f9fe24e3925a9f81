# GitLab: project and group access tokens, a deploy token, a service account.
resource "gitlab_project_access_token" "ci" {
  project    = "group/app"
  name       = "ci"
  expires_at = "2027-01-01"
  scopes     = ["api"]
}

resource "gitlab_group_access_token" "renovate" {
  group        = "group"
  name         = "renovate"
  access_level = "developer"
  scopes       = ["read_api"]
  rotation_configuration = {
    rotate_before_days = 7
  }
}

resource "gitlab_deploy_token" "registry" {
  project = "group/app"
  name    = "registry"
  scopes  = ["read_registry"]
}

resource "gitlab_service_account" "bot" {
  name     = "bot"
  username = "bot"
}
