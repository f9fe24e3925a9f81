# An HCP Terraform variable is a credential when it is sensitive or named like one; team access
# is a grant. https://registry.terraform.io/providers/hashicorp/tfe/latest/docs/resources/variable, .../team_access
resource "tfe_variable" "aws_secret" {
  key          = "AWS_SECRET_ACCESS_KEY"
  value        = var.aws_secret
  category     = "env"
  workspace_id = tfe_workspace.app.id
}

resource "tfe_variable" "sensitive" {
  key          = "upstream"
  value        = var.upstream
  category     = "terraform"
  sensitive    = true
  workspace_id = tfe_workspace.app.id
}

resource "tfe_variable" "region" {
  key          = "region"
  value        = "eu-west-1"
  category     = "terraform"
  workspace_id = tfe_workspace.app.id
}

resource "tfe_team_access" "deployers" {
  access       = "write"
  team_id      = tfe_team.deployers.id
  workspace_id = tfe_workspace.app.id
}
