# The key goes to GitHub Actions: this repository (literal and through github_repository),
# another repository (no link from this repository's workflows), and the organization.
resource "github_repository" "app" {
  name = "aws_user_key_stored"
}

resource "github_actions_secret" "key_id" {
  repository      = github_repository.app.name
  secret_name     = "AWS_ACCESS_KEY_ID"
  plaintext_value = aws_iam_access_key.deployer.id
}

resource "github_actions_secret" "key_secret" {
  repository      = "aws_user_key_stored"
  secret_name     = "AWS_SECRET_ACCESS_KEY"
  plaintext_value = aws_iam_access_key.deployer.secret
}

resource "github_actions_secret" "elsewhere" {
  repository      = "data-pipeline"
  secret_name     = "DEPLOY_KEY"
  plaintext_value = aws_iam_access_key.deployer.secret
}

resource "github_actions_secret" "unknown_repository" {
  repository      = var.repository
  secret_name     = "UNRESOLVED"
  plaintext_value = aws_iam_access_key.deployer.secret
}

resource "github_actions_organization_secret" "org" {
  secret_name     = "ORG_DEPLOY_SECRET"
  visibility      = "all"
  plaintext_value = aws_iam_access_key.deployer.secret
}
