# A flexible federated credential trusts an external issuer (a grant); a token signing
# certificate is key material. https://registry.terraform.io/providers/hashicorp/azuread/latest/docs/resources/application_flexible_federated_identity_credential,
# https://registry.terraform.io/providers/hashicorp/azuread/latest/docs/resources/service_principal_token_signing_certificate
resource "azuread_application_flexible_federated_identity_credential" "github" {
  application_id             = azuread_application_registration.ci.id
  claims_matching_expression = "claims['sub'] matches 'repo:contoso/contoso-org:ref:refs/heads/*'"
  display_name               = "github-branches"
  audience                   = "api://AzureADTokenExchange"
  issuer                     = "https://token.actions.githubusercontent.com"
}

resource "azuread_service_principal_token_signing_certificate" "saml" {
  service_principal_id = azuread_service_principal.saml.id
  display_name         = "CN=saml.example.com"
  end_date             = "2027-05-01T01:02:03Z"
}
