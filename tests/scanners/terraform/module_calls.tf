# Module calls are recorded with their source and version, for a later step to follow.
module "ci_account" {
  source     = "./modules/service_account"
  name       = "ci"
  create_key = true
}

module "iam_user" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"
  version = "~> 5.0"
  name    = "vasya"
}

module "dynamic_source" {
  source = var.module_source
}
