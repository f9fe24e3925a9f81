# Machine users stay machine identities: a dotted machine name, or a console password next to
# an access key (a machine with a human login, what NHI006 reports).
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_user, .../iam_user_login_profile, .../iam_access_key
resource "aws_iam_user" "deployer" {
  name = "ci.deployer"
}

resource "aws_iam_user" "uploader" {
  name = "s3.uploader"
}

resource "aws_iam_user" "shared" {
  name = "reporting"
}

resource "aws_iam_user_login_profile" "shared" {
  user = aws_iam_user.shared.name
}

resource "aws_iam_access_key" "shared" {
  user = aws_iam_user.shared.name
}

resource "aws_iam_user" "team" {
  for_each = toset(["alice.martin", "ci-bot"])
  name     = each.key
}
