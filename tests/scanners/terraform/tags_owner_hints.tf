# Owner hints: owner-like tag keys in any case and spelling; expressions are not hints.
resource "aws_iam_role" "hinted" {
  name               = "hinted"
  assume_role_policy = "{}"
  tags = {
    Owner        = "alice@example.com"
    "owner-team" = "payments"
    Team         = "payments"
    CostCenter   = "42"
    Maintainer   = "bob@example.com"
    ownedBy      = local.owner
  }
}

resource "aws_iam_user" "merged_tags" {
  name = "merged"
  tags = merge(local.tags, { owner = "carol@example.com" })
}
