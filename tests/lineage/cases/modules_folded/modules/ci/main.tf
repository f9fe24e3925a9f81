# The module: a user, its key stored as a GitHub Actions secret, and its grant.
variable "name" {
  default = "ci"
}

resource "aws_iam_user" "this" {
  name = var.name
}

resource "aws_iam_access_key" "this" {
  user = aws_iam_user.this.name
}

resource "aws_iam_user_policy_attachment" "this" {
  user       = aws_iam_user.this.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "github_actions_secret" "key" {
  repository      = "modules_folded"
  secret_name     = "CI_SECRET_KEY"
  plaintext_value = aws_iam_access_key.this.secret
}
