# A block that never closes: an error at end of file, nothing reported.
resource "aws_iam_user" "open" {
  name = "open"
