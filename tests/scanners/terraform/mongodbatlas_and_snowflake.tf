# A MongoDB Atlas database user is an identity; Snowflake user public keys are key-pair
# credentials; any snowflake_grant_* is a grant.
# https://registry.terraform.io/providers/mongodb/mongodbatlas/latest/docs/resources/database_user,
# https://registry.terraform.io/providers/Snowflake-Labs/snowflake/latest/docs/resources/user_public_keys,
# https://registry.terraform.io/providers/Snowflake-Labs/snowflake/latest/docs/resources/grant_privileges_to_database_role
resource "mongodbatlas_database_user" "app" {
  username           = "app"
  password           = var.atlas_app_password
  project_id         = var.project_id
  auth_database_name = "admin"

  roles {
    role_name     = "readWrite"
    database_name = "app"
  }
}

resource "snowflake_user_public_keys" "loader" {
  name           = snowflake_service_user.loader.name
  rsa_public_key = tls_private_key.loader.public_key_pem
}

resource "snowflake_grant_privileges_to_database_role" "loader" {
  privileges         = ["USAGE"]
  database_role_name = "\"${snowflake_database.db.name}\".\"loader\""
  on_database        = snowflake_database.db.name
}
