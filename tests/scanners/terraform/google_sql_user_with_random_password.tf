# A Cloud SQL user is a database identity; its generated password is a credential.
# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/sql_user
resource "random_password" "user_password" {
  length  = 32
  special = false
}

resource "google_sql_user" "app" {
  name     = "app"
  instance = google_sql_database_instance.main.name
  host     = "%"
  password = random_password.user_password.result
}

resource "google_sql_user" "iam_service_account" {
  name     = trimsuffix(google_service_account.app.email, ".gserviceaccount.com")
  instance = google_sql_database_instance.main.name
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}
