# Membership of a group or a directory role grants what the group or role holds.
# https://registry.terraform.io/providers/hashicorp/azuread/latest/docs/resources/group_member,
# https://registry.terraform.io/providers/hashicorp/azuread/latest/docs/resources/directory_role_member
resource "azuread_group_member" "ci" {
  group_object_id  = azuread_group.deployers.object_id
  member_object_id = azuread_service_principal.ci.object_id
}

resource "azuread_directory_role_member" "ci" {
  role_object_id   = azuread_directory_role.app_admin.object_id
  member_object_id = azuread_service_principal.ci.object_id
}
