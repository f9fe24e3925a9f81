# One block python-hcl2 cannot read among good ones: the good ones are read whole, the broken
# one (a catalog type) is reported from its header alone, and the error names its line.
resource "aws_iam_user" "before" {
  name = "before"
}

resource "aws_iam_access_key" "broken" {
  user = aws_iam_user.before
    .name
}

module "after" {
  source = "./modules/after"
  name   = "after"
}

resource "aws_iam_user" "after" {
  name = "after"
}
