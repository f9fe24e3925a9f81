# An HCP service principal is a machine identity and its key a static credential.
# https://registry.terraform.io/providers/hashicorp/hcp/latest/docs/resources/service_principal, .../service_principal_key
resource "hcp_service_principal" "ci" {
  name   = "ci"
  parent = hcp_project.main.resource_name
}

resource "hcp_service_principal_key" "ci" {
  service_principal = hcp_service_principal.ci.resource_name
}
