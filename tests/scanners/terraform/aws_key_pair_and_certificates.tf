# Key material AWS holds for a machine: an EC2 key pair, an IAM server and signing certificate,
# a Bedrock API key. https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/key_pair,
# .../iam_server_certificate, .../iam_signing_certificate, .../iam_service_specific_credential
resource "aws_key_pair" "deployer" {
  key_name   = "deployer-key"
  public_key = tls_private_key.deployer.public_key_openssh
}

resource "aws_iam_server_certificate" "web" {
  name             = "web-cert"
  certificate_body = file("self-ca-cert.pem")
  private_key      = file("test-key.pem")
}

resource "aws_iam_signing_certificate" "ci" {
  certificate_body = file("ci-cert.pem")
  username         = aws_iam_user.ci.name
}

resource "aws_iam_service_specific_credential" "bedrock" {
  service_name        = "bedrock.amazonaws.com"
  user_name           = aws_iam_user.ci.name
  credential_age_days = 30
}
