# The CI deployer: a machine user with a static access key, stored as a GitHub secret.
resource "aws_iam_user" "ci_deployer" {
  name = "ci-deployer"
  tags = {
    owner = "platform-team@example.com"
  }
}

resource "aws_iam_access_key" "ci_deployer" {
  user = aws_iam_user.ci_deployer.name
}

resource "aws_iam_user_policy_attachment" "ci_deployer" {
  user       = aws_iam_user.ci_deployer.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "github_actions_secret" "aws_key_id" {
  repository      = "app"
  secret_name     = "AWS_ACCESS_KEY_ID"
  plaintext_value = aws_iam_access_key.ci_deployer.id
}

# Ordinary infrastructure is not reported.
resource "aws_s3_bucket" "artifacts" {
  bucket = "artifacts"
}
