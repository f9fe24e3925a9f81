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
