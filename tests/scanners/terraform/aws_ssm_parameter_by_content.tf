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
