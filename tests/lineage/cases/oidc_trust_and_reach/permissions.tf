# What the deploy role can do: an inline jsonencode policy, a policy built from a data source
# (admin), a managed policy attached through a variable (unknown) and a Deny (ignored).
resource "aws_iam_role_policy" "deploy_inline" {
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = ["s3:*"], Resource = ["${aws_s3_bucket.site.arn}/*"] },
      { Effect = "Allow", Action = ["sqs:SendMessage", "s3:GetObject"], Resource = "arn:aws:sqs:eu-west-1:123456789012:jobs" },
      { Effect = "Allow", Action = "kms:Decrypt", Resource = var.key_arn },
      { Effect = "Deny", Action = "*", Resource = "*" }
    ]
  })
}

resource "aws_iam_policy" "everything" {
  name   = "everything"
  policy = data.aws_iam_policy_document.everything.json
}

data "aws_iam_policy_document" "everything" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy_attachment" "deploy_everything" {
  role       = aws_iam_role.deploy.name
  policy_arn = aws_iam_policy.everything.arn
}

resource "aws_iam_role_policy_attachment" "deploy_variable" {
  role       = aws_iam_role.deploy.name
  policy_arn = var.extra_policy_arn
}
