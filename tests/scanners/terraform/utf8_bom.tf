# A UTF-8 byte-order mark is dropped; lines stay exact.
resource "aws_iam_user" "bom" {
  name = "bom"
}
