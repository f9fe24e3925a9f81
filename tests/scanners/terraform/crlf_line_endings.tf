# Windows line endings keep exact line numbers.
resource "aws_iam_user" "crlf" {
  name = "crlf"
}

resource "aws_iam_access_key" "crlf" {
  user = aws_iam_user.crlf.name
}
