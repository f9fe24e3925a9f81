# A machine user with a console password and an SSH key: human use of an NHI.
resource "aws_iam_user" "svc" {
  name = "svc"
}

resource "aws_iam_user_login_profile" "svc" {
  user                    = aws_iam_user.svc.name
  password_reset_required = false
}

resource "aws_iam_user_ssh_key" "svc" {
  username   = aws_iam_user.svc.name
  encoding   = "SSH"
  public_key = "ssh-rsa AAAA"
}

resource "aws_iam_service_specific_credential" "bedrock" {
  service_name = "bedrock.amazonaws.com"
  user_name    = aws_iam_user.svc.name
}
