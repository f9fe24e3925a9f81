# A token written as a block's name label: never a name, pointer or address.
resource "aws_iam_user" "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8.name
}

module "Zx8Q4kLp9vN2mR7tY1wB5cHd" {
  source = "./m"
}

data "aws_iam_policy_document" "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" {
  statement {
    actions = ["s3:GetObject"]
  }
}
