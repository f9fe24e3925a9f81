# A wrapper: one CI user per item, every argument taken from its own input.
module "user" {
  source   = "../ci"
  for_each = var.users
  name     = try(each.value.name, var.defaults.name, "")
}
