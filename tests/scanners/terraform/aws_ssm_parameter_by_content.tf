# An SSM parameter is a credential when it is a SecureString or its name or value says so;
# a plain String holding a URL or a setting is configuration (#19).
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_parameter
resource "aws_ssm_parameter" "secure" {
  name  = "/app/settings"
  type  = "SecureString"
  value = var.settings
}

resource "aws_ssm_parameter" "db_password" {
  name  = "/app/prod/db/password"
  type  = "String"
  value = var.database_master
}

resource "aws_ssm_parameter" "endpoint" {
  name  = "/app/prod/db/endpoint"
  type  = "String"
  value = aws_db_instance.main.endpoint
}

resource "aws_ssm_parameter" "api_url" {
  name  = "/app/prod/api"
  type  = "String"
  value = "https://api.example.com/v1"
}

resource "aws_ssm_parameter" "ci_key" {
  name  = "/ci/deployer"
  type  = "String"
  value = aws_iam_access_key.deployer.secret
}

# A loop over parameters whose type and value come from a variable: nothing says, so it stays
# a credential; `each.key` as the name says nothing either.
resource "aws_ssm_parameter" "default" {
  for_each = local.parameter_write
  name     = each.key
  type     = each.value.type
  value    = each.value.value
}

resource "aws_ssm_parameter" "plain" {
  for_each = var.settings
  name     = each.key
  type     = "String"
  value    = each.value
}
