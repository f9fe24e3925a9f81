# GitHub provider: Actions secrets (repo and org), a deploy key, a collaborator grant.
resource "github_actions_secret" "aws_key" {
  repository      = "app"
  secret_name     = "AWS_ACCESS_KEY_ID"
  plaintext_value = aws_iam_access_key.ci.id
}

resource "github_actions_organization_secret" "npm" {
  secret_name     = "NPM_TOKEN"
  visibility      = "private"
  encrypted_value = var.npm_token_encrypted
}

resource "github_repository_deploy_key" "deploy" {
  title      = "deploy"
  repository = "app"
  key        = tls_private_key.deploy.public_key_openssh
  read_only  = false
}

resource "tls_private_key" "deploy" {
  algorithm = "ED25519"
}

resource "github_repository_collaborator" "bot" {
  repository = "app"
  username   = "deploy-bot"
  permission = "push"
}
