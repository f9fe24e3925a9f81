# Okta: an OAuth service app (client credentials), an API scope grant, a group owner.
resource "okta_app_oauth" "sync" {
  label          = "directory-sync"
  type           = "service"
  grant_types    = ["client_credentials"]
  response_types = ["token"]
}

resource "okta_app_oauth_api_scope" "sync" {
  app_id = okta_app_oauth.sync.id
  issuer = "https://example.okta.com"
  scopes = ["okta.users.read"]
}

resource "okta_group_owner" "owner" {
  group_id = "00g1"
  id_of_group_owner = "00u1"
  type     = "USER"
}
