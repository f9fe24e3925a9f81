# A GitLab CI variable is a credential when it is masked or hidden, or named like one; a plain
# setting is not. Memberships are grants. https://registry.terraform.io/providers/gitlabhq/gitlab/latest/docs/resources/project_variable,
# .../group_variable, .../project_membership, .../group_membership
resource "gitlab_project_variable" "deploy_token" {
  project   = gitlab_project.app.id
  key       = "DEPLOY_TOKEN"
  value     = gitlab_deploy_token.app.token
  protected = true
}

resource "gitlab_project_variable" "masked" {
  project = gitlab_project.app.id
  key     = "UPSTREAM"
  value   = var.upstream
  masked  = true
}

resource "gitlab_group_variable" "region" {
  group = gitlab_group.platform.id
  key   = "AWS_REGION"
  value = "eu-west-1"
}

resource "gitlab_project_membership" "bot" {
  project      = gitlab_project.app.id
  user_id      = gitlab_user.bot.id
  access_level = "maintainer"
}

resource "gitlab_group_membership" "bot" {
  group_id     = gitlab_group.platform.id
  user_id      = gitlab_user.bot.id
  access_level = "developer"
}
