# Latin-1 bytes in a comment: not UTF-8, so the file is reported, not guessed at.
resource "aws_iam_user" "x" {
  # café
}
