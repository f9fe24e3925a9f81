"""A text that reaches every lexer state real Terraform files reach (`_hcl.warm`, #21)."""

# Lark's contextual lexer compiles each parser state's lexer the first time a text reaches that
# state: a worker that had parsed only `a = 1` paid 100 ms more for its first 60 real files.
# This text reaches the states real files do (blocks, templates, heredocs, directives, for
# expressions, splats, operators, functions, comments), before the pool forks.
EVERY_STATE = r"""
resource "aws_iam_policy" "p" {
  name     = "${var.prefix}-x\"y\n"
  count    = var.enabled ? 1 : 0
  for_each = { for k, v in var.m : k => v if v != null }
  policy   = jsonencode({ Version = "2012-10-17", "Statement" = [{ Action = ["s3:*"] }] })
  tags     = merge(local.tags, { Name = "x" }, provider::aws::arn_parse(var.arn))
  list     = [for s in var.l : upper(s)]
  grouped  = { for s in var.l : s.k => s... }
  splat    = aws_instance.a[*].id
  legacy   = aws_instance.a.*.id
  index    = var.m["k"][0]
  math     = -1 + 2.5e3 * 3 / 4 % 5 - (6)
  logic    = a == b && c != d || !e && f >= g && h <= i && j > k && l < m
  indented = <<-EOT
    text ${var.x} %{ if var.y }yes%{ endif }
  EOT
  plain    = <<EOT
$${literal} %%{literal}
EOT
  directive = "%{ for x in var.l }${x}%{ endfor }"
  nothing  = null
  yes      = true
  dynamic "setting" {
    for_each = var.settings
    content {
      name = setting.value.name
    }
  }
  one_line { a = 1 }
  # comment
  // comment
  /* comment */
}
"""
