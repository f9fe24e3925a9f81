# The aws_iam_*_exclusive types own every policy of a role, user or group: grants.
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policies_exclusive (and the user_, group_,
# *_policy_attachments_exclusive pages)
resource "aws_iam_role_policies_exclusive" "deploy" {
  role_name    = aws_iam_role.deploy.name
  policy_names = [aws_iam_role_policy.deploy.name]
}

resource "aws_iam_role_policy_attachments_exclusive" "deploy" {
  role_name   = aws_iam_role.deploy.name
  policy_arns = [aws_iam_policy.deploy.arn]
}

resource "aws_iam_user_policies_exclusive" "ci" {
  user_name    = aws_iam_user.ci.name
  policy_names = []
}

resource "aws_iam_user_policy_attachments_exclusive" "ci" {
  user_name   = aws_iam_user.ci.name
  policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

resource "aws_iam_group_policies_exclusive" "ops" {
  group_name   = aws_iam_group.ops.name
  policy_names = []
}

resource "aws_iam_group_policy_attachments_exclusive" "ops" {
  group_name  = aws_iam_group.ops.name
  policy_arns = [aws_iam_policy.ops.arn]
}
