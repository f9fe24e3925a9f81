# Data sources read identities; they do not declare them. Nothing here is reported.
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
  }
}

data "aws_iam_user" "existing" {
  user_name = "someone"
}

data "google_service_account" "sa" {
  account_id = "x"
}
