# An SSH public key that lets a Transfer Family (SFTP) user in: a credential.
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/transfer_ssh_key
resource "aws_transfer_ssh_key" "partner" {
  server_id = aws_transfer_server.sftp.id
  user_name = aws_transfer_user.partner.user_name
  body      = trimspace(tls_private_key.partner.public_key_openssh)
}
