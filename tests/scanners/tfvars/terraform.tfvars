# A variable definitions file as Terraform's docs write one ("Variable Definitions (.tfvars)
# Files", developer.hashicorp.com/terraform/language/values/variables): plain assignments,
# strings, lists and maps. The credentials here are invented, shaped like real ones; a
# reference would be an environment variable (TF_VAR_db_password), never this file.
image_id           = "ami-abc123"
availability_zones = ["us-east-1a", "us-west-1c"]
region             = "us-east-1"
db_password        = "q7Vn2kLpXz9RwT4mBc8Hj3Ds"
github_token       = "ghp_R8mK2vN7qL4xT9wB3cZ6yH1jD5fG0sA2eP4u"
enable_auth        = "true"

database = {
  username = "app"
  password = "Pg-pass-2026"
  port     = 5432
}

/* a block comment
api_key = "not read"
*/
startup_script = <<-EOT
  export API_TOKEN="inside a heredoc: not a variable"
EOT
datadog_api_key = ""
# A token written where a map's name goes is never a name: the credential is named by its line.
ghp_Z7xK2mN5vB8qR1tY4wE6uI9oP3aS0dF2gH5j = {
  password = "Zq9Lx2Vn7Kb4Wm1Rt6Yh3Jc8"
}
