# A missing value: the whole file is one error with the line, and no value is quoted.
resource "aws_iam_user" "broken" {
  name =
}
