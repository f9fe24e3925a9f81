# An IAM group cannot sign in: it is a set of grants for its members, never an identity.
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_group
resource "aws_iam_group" "developers" {
  name = "developers"
  path = "/users/"
}

resource "aws_iam_group_membership" "developers" {
  name  = "developers"
  users = [aws_iam_user.ci.name]
  group = aws_iam_group.developers.name
}
