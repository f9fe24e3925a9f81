# A random_password is key material only where it is written into a credential attribute; one
# used as a name suffix, or not used at all, is not reported.
# https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/password (its example feeds aws_db_instance.password)
resource "random_password" "master" {
  length           = 16
  special          = true
  override_special = "!#$%&*()-_=+[]{}<>:?"
}

resource "random_password" "suffix" {
  length  = 6
  special = false
}

resource "random_password" "unused" {
  length = 32
}

resource "aws_db_instance" "main" {
  identifier        = "main-${random_password.suffix.result}"
  instance_class    = "db.t3.micro"
  allocated_storage = 64
  engine            = "mysql"
  username          = "someone"
  password          = random_password.master.result
}

# A random_id or random_string written as a password is key material too; one used as a name
# suffix is not. https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/id
resource "random_id" "user_password" {
  byte_length = 8
}

resource "random_string" "bucket_suffix" {
  length  = 6
  special = false
}

resource "google_sql_user" "app" {
  name     = "app"
  instance = google_sql_database_instance.main.name
  password = var.user_password == "" ? random_id.user_password.hex : var.user_password
}

resource "google_storage_bucket" "backups" {
  name = "backups-${random_string.bucket_suffix.result}"
}
