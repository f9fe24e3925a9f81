# AWS managed policies attached with the partition written as an expression, as modules do for
# GovCloud and China partitions:
#   https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/partition
#   https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy_attachment
#   https://developer.hashicorp.com/terraform/language/functions/format

data "aws_partition" "current" {}

resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.deploy.name
  policy_arn = format("arn:%s:iam::aws:policy/AdministratorAccess", data.aws_partition.current.partition)
}

resource "aws_iam_role_policy_attachment" "lambda_vpc" {
  role       = aws_iam_role.deploy.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

# The policy name itself is an expression: unknown
resource "aws_iam_role_policy_attachment" "chosen" {
  role       = aws_iam_role.deploy.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${var.policy_name}"
}
