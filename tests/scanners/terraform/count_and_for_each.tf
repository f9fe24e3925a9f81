# count and for_each make one declaration many identities: multiplicity is unknown (or literal).
variable "users" {
  type = set(string)
}

resource "aws_iam_user" "team" {
  for_each = var.users
  name     = each.key
}

resource "aws_iam_access_key" "maybe" {
  count = var.create_key ? 1 : 0
  user  = aws_iam_user.team["ci"].name
}

resource "aws_iam_role" "replicas" {
  count              = 3
  name               = "replica-${count.index}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_user_policy_attachment" "team" {
  for_each   = toset(["a", "b"])
  user       = aws_iam_user.team[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
