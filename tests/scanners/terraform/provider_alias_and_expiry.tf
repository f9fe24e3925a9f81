# A provider alias and an expiry on credentials are recorded as attributes.
resource "aws_iam_role" "west" {
  provider           = aws.west
  name               = "west"
  assume_role_policy = "{}"
}

resource "azuread_service_principal_password" "sp" {
  service_principal_id = "x"
  end_date_relative    = "4320h"
}

resource "gitlab_personal_access_token" "me" {
  user_id    = 1
  name       = "me"
  expires_at = var.expiry
  scopes     = ["api"]
}
