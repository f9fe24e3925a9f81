# Encryption keys (a key vault key, a KMS key) encrypt data; nobody signs in with them. The
# grants on them are reported, the keys are not.
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/key_vault_key,
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_key,
# https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/kms_crypto_key
resource "azurerm_key_vault_key" "disk" {
  name         = "disk-encryption"
  key_vault_id = azurerm_key_vault.main.id
  key_type     = "RSA"
  key_size     = 2048
  key_opts     = ["unwrapKey", "wrapKey"]
}

resource "aws_kms_key" "logs" {
  description             = "logs"
  deletion_window_in_days = 10
}

resource "google_kms_crypto_key" "data" {
  name     = "data"
  key_ring = google_kms_key_ring.main.id
}

resource "aws_kms_grant" "logs" {
  name              = "logs"
  key_id            = aws_kms_key.logs.key_id
  grantee_principal = aws_iam_role.logs.arn
  operations        = ["Encrypt", "Decrypt"]
}

resource "google_kms_crypto_key_iam_member" "data" {
  crypto_key_id = google_kms_crypto_key.data.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:${google_service_account.app.email}"
}
