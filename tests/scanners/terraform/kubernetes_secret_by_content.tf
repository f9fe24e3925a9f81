# A Kubernetes secret is a credential when its type or its keys say so; an Opaque secret of
# settings is configuration (#19). https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/secret_v1
resource "kubernetes_secret_v1" "settings" {
  metadata {
    name = "app-settings"
  }
  data = {
    LOG_LEVEL = "debug"
    API_URL   = "https://api.example.com"
  }
}

resource "kubernetes_secret_v1" "db" {
  metadata {
    name = "db"
  }
  data = {
    username = "app"
    password = var.db_secret
  }
}

resource "kubernetes_secret_v1" "registry" {
  metadata {
    name = "docker-cfg"
  }
  type = "kubernetes.io/dockerconfigjson"
  data = {
    ".dockerconfigjson" = jsonencode({ auths = {} })
  }
}

resource "kubernetes_secret" "tls" {
  metadata {
    name = "ingress-tls"
  }
  type = "kubernetes.io/tls"
  data = {
    "tls.crt" = file("cert.pem")
    "tls.key" = file("key.pem")
  }
}

resource "kubernetes_secret" "named" {
  metadata {
    name = "github-token"
  }
  data = {
    value = var.gh
  }
}
