# Comments of every style; a commented-out resource is not an identity.
// resource "aws_iam_user" "commented_out" {}
/*
resource "aws_iam_access_key" "also_commented" {
  user = "x"
}
*/
resource "aws_iam_user" "real" { # trailing comment
  name = "real" // another
  /* inline block comment */
  tags = {
    # owner = "not-this-one"
    owner = "@org/platform"
  }
}
