This is not Terraform: release notes saved with the wrong extension.
module "ci" was removed in March { see the changelog }
resource "aws_iam_user" "ci": gone too, { and so on
