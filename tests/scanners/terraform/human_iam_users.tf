# IAM users that are people: named after one (first.last, an email, a for_each of names), or
# given a console password and no programmatic credential. They carry human: true (#19).
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_user, .../iam_user_login_profile
resource "aws_iam_user" "jane" {
  name = "jane.doe"
}

resource "aws_iam_user" "email" {
  name = "john.smith@example.com"
}

resource "aws_iam_user" "team" {
  for_each = toset(["alice.martin", "bob.nguyen"])
  name     = each.key
}

resource "aws_iam_user" "console" {
  name = "ops-console"
}

resource "aws_iam_user_login_profile" "console" {
  user                    = aws_iam_user.console.name
  password_reset_required = true
}

resource "aws_iam_user_login_profile" "contractor" {
  user = "carol.jones"
}
