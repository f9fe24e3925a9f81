# A user with a static access key and a policy attachment: three identities.
resource "aws_iam_user" "ci" {
  name = "ci-deployer"
  path = "/system/"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_user_policy_attachment" "ci_deploy" {
  user       = aws_iam_user.ci.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}
