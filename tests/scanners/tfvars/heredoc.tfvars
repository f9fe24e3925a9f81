# Terraform's variable definitions file (https://developer.hashicorp.com/terraform/language/values/variables#variable-definitions-tfvars-files)
# in HCL's native syntax: a heredoc string (<<EOT, <<-EOT) is one value over several lines, and
# null leaves a variable unset. Values are placeholders.
github_app_id          = "123456"
github_app_private_key = <<-EOT
  -----BEGIN RSA PRIVATE KEY-----
  xxxx
  -----END RSA PRIVATE KEY-----
EOT
user_data = <<EOF
#!/bin/sh
echo "${var.password} is a template: not a literal"
EOF
admin_password = <<EOT
${var.generated}
EOT
org_token     = null
client_id     = "00000000-0000-0000-0000-000000000000"
client_secret = ""
# A heredoc inside a list is read past: its lines are no variables.
policies = [<<-EOT
  token = "inside a heredoc: not a variable"
EOT
]
# A template string is no literal; an escape JSON does not know is kept as written.
api_token   = "${var.generated}"
db_password = "xx\qxx"
