# Where the key is written: a Kubernetes secret and a Vault KV secret.
resource "kubernetes_secret" "etl" {
  metadata {
    name      = "etl-credentials"
    namespace = "etl"
  }
  data = {
    "key.json" = base64decode(google_service_account_key.etl.private_key)
  }
}

resource "vault_kv_secret_v2" "etl" {
  mount     = "kv"
  name      = "etl/gcp"
  data_json = jsonencode({ key = google_service_account_key.etl.private_key })
}
