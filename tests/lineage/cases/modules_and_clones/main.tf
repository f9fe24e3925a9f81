# One module called twice with the same inputs (clones), once with others; a role copied to a
# second region by hand (another provider, same body).
module "role_us" {
  source = "./modules/role"
  name   = "deployer"
}

module "role_eu" {
  source    = "./modules/role"
  providers = { aws = aws.eu }
  name      = "deployer"
}

module "role_audit" {
  source = "./modules/role"
  name   = "auditor"
}

module "registry" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"
  version = "~> 5.0"
  name    = "not-followed"
}

resource "aws_iam_role" "copy_us" {
  name               = "copied"
  assume_role_policy = "{}"
}

resource "aws_iam_role" "copy_eu" {
  provider           = aws.eu
  name               = "copied"
  assume_role_policy = "{}"
}
