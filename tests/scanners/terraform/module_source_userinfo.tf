# A token in a module source's userinfo is a committed credential; the source is kept without it.
module "vpc" {
  source = "git::https://oauth2:Zx8Q4kLp9vN2mR7tY1wB5cHd@gitlab.example.com/infra/vpc.git?ref=v1.2.0"
}

module "iam" {
  source  = "git::https://ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8@github.com/acme/iam.git"
  version = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
}

# A user name alone (ssh) and a referenced password are no credentials; the user is still dropped.
module "ssh" {
  source = "git::ssh://git@github.com/acme/ssh.git"
}

module "ref" {
  source = "https://ci:${var.pass}@example.com/mod.zip"
}

module "local" {
  source = "./modules/local"
}

resource "aws_iam_user" "deploy" {
  name = "deploy"
  tags = {
    owner = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
  }
}

module "no_source" {
  version = "1.0.0"
}
