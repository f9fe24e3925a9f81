# Terraform 1.11 write-only arguments (developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments),
# as the auth0 provider's auth0_client_credentials documents `client_secret_wo`.
resource "auth0_client_credentials" "api" {
  client_id                = auth0_client.api.id
  authentication_method    = "client_secret_post"
  client_secret_wo         = "WmkVNxtejEDODlXxSQRwEwlcsNBo4jS86CLWrM7hGvgq0bBo"
  client_secret_wo_version = 1
}
