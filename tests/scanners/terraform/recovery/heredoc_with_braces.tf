# Braces inside heredocs, strings, templates and comments do not end a block: the tolerant
# pass finds each block where Terraform does.
resource "aws_iam_role" "deployer" {
  name = "deployer"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    EOT
  description = "closes with } and opens with { ${jsonencode({ a = "}" })}"
  # a comment with } and {
  /* and a block comment } */
}

resource "aws_iam_user" "broken" {
  name = var.users
    .ci
}

resource "aws_iam_user" "last" {
  name = "last"
  tags = { note = "}}}" }
}
