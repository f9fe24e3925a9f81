# Heredoc JSON policies, including one that mentions a resource block in its text.
resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
}
EOF
}

resource "aws_iam_role_policy" "inline" {
  role   = aws_iam_role.app.id
  policy = <<-POLICY
    {
      "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]
    }
  POLICY
}

resource "aws_ssm_document" "doc" {
  name    = "doc"
  content = <<DOC
resource "aws_iam_user" "not_real" {}
DOC
}
