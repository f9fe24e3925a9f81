# HCL allows bare identifiers as block labels.
resource aws_iam_user bare {
  name = "bare"
}
