# A `for` object expression with a line break before `=>`, as cloudposse writes it in
# terraform-aws-components modules/tgw/hub/remote-state.tf: Terraform reads it, python-hcl2 8.1
# alone refused the whole file. The role, its key and the module call keep their lines.
module "vpc" {
  for_each = { for c in local.vpc_connections :
    (length(c.tenant) > 0 ? "${c.tenant}-${c.environment}-${c.stage}-${c.component}" : "${c.environment}-${c.stage}-${c.component}")
  => c }

  source  = "cloudposse/stack-config/yaml//modules/remote-state"
  version = "1.5.0"
}

resource "aws_iam_role" "attachment" {
  for_each = { for name, role in var.roles : name
    => role if role.enabled }
  name               = each.key
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_access_key" "ci" {
  user = "ci"
}
