# Secret values written into the configuration are flagged by attribute, never copied.
resource "github_actions_secret" "leaked" {
  repository      = "app"
  secret_name     = "NPM_TOKEN"
  plaintext_value = "npm_Lq8Wx3Rt7Yp2Zm5Kb9Vn4Hc6Jd1Fg0Sa3Ex7"
}

resource "github_actions_secret" "referenced" {
  repository      = "app"
  secret_name     = "AWS_KEY"
  plaintext_value = aws_iam_access_key.ci.secret
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = "db"
  secret_string = "Zr4Tq8Lm2Xw7Pv9Kb3Hn6Yc1"
}

resource "aws_ssm_parameter" "flag" {
  name  = "/app/flag"
  type  = "String"
  value = "enabled"
}
