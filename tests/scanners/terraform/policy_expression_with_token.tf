# A policy written as an expression around a literal token: lineage keeps neither.
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = replace(var.template, "KEY", "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8")
}

resource "aws_iam_policy" "q" {
  name   = "q"
  policy = templatefile("https://ci:${var.pw}@example.com/p.json", {})
}
