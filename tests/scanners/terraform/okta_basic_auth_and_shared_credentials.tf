# Okta: a basic-auth app is an application identity, a shared-credentials (SWA) app holds a
# shared username and password, group memberships are grants.
# https://registry.terraform.io/providers/okta/okta/latest/docs/resources/app_basic_auth, .../app_shared_credentials,
# .../group_memberships
resource "okta_app_basic_auth" "legacy" {
  label    = "Legacy portal"
  url      = "https://legacy.example.com/login"
  auth_url = "https://legacy.example.com/auth"
}

resource "okta_app_shared_credentials" "vendor" {
  label           = "Vendor console"
  button_field    = "btn-login"
  username_field  = "txtbox-username"
  password_field  = "txtbox-password"
  url             = "https://vendor.example.com/login.aspx"
  shared_username = "ops@example.com"
  shared_password = var.vendor_password
}

resource "okta_group_memberships" "ops" {
  group_id = okta_group.ops.id
  users    = [okta_user.ci.id]
}
