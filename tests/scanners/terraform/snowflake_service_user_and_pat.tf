# Snowflake: a service user, a programmatic access token, a role grant.
resource "snowflake_service_user" "etl" {
  name = "ETL"
}

resource "snowflake_user_programmatic_access_token" "etl" {
  user = snowflake_service_user.etl.name
  name = "etl_token"
}

resource "snowflake_grant_account_role" "etl" {
  role_name = "LOADER"
  user_name = snowflake_service_user.etl.name
}
