# A CI user module called four ways (#19). `ci` passes nothing that names the user and
# `forwarded` passes its own input on: both repeat the definition and are folded into it.
# `deploy` names another user and `eu` hands it another provider: both are reported.
# `team` goes through a wrapper whose for_each passes its input on: reported at this call.
module "ci" {
  source = "./modules/ci"
  tags   = { team = "platform" }
}

module "forwarded" {
  source = "./modules/ci"
  name   = var.ci_name
}

module "deploy" {
  source = "./modules/ci"
  name   = "deploy"
}

module "eu" {
  source    = "./modules/ci"
  providers = { aws = aws.eu }
}

module "team" {
  source = "./modules/team"
  users  = { alpha = { name = "alpha" } }
}
