# Database roles that log in are identities; a role nobody logs in with is a group of grants;
# grants are grants. https://registry.terraform.io/providers/cyrilgdn/postgresql/latest/docs/resources/postgresql_role,
# .../postgresql_grant, https://registry.terraform.io/providers/petoju/mysql/latest/docs/resources/user, .../grant
resource "postgresql_role" "app" {
  name     = "app"
  login    = true
  password = random_password.app.result
}

resource "postgresql_role" "readers" {
  name = "readers"
}

resource "random_password" "app" {
  length = 32
}

resource "postgresql_grant" "readers" {
  database    = "app"
  role        = postgresql_role.readers.name
  schema      = "public"
  object_type = "table"
  privileges  = ["SELECT"]
}

resource "mysql_user" "reporting" {
  user               = "reporting"
  host               = "%"
  plaintext_password = var.reporting_password
}

resource "mysql_grant" "reporting" {
  user       = mysql_user.reporting.user
  host       = mysql_user.reporting.host
  database   = "app"
  privileges = ["SELECT"]
}

# A password written in the file is flagged (never copied), under mysql_user's attribute name.
resource "mysql_user" "legacy" {
  user               = "legacy"
  host               = "%"
  plaintext_password = "Qm7vX2pL9rT4wZ8nB3kH6yJ1"
}
