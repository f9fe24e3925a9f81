# kubernetes_manifest can hold any object: only a ServiceAccount, a Secret that holds a
# credential, or a (Cluster)RoleBinding is reported.
# https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/manifest
resource "kubernetes_manifest" "service_account" {
  manifest = {
    apiVersion = "v1"
    kind       = "ServiceAccount"
    metadata = {
      name      = "deployer"
      namespace = "ci"
    }
  }
}

resource "kubernetes_manifest" "binding" {
  manifest = {
    apiVersion = "rbac.authorization.k8s.io/v1"
    kind       = "ClusterRoleBinding"
    metadata = {
      name = "deployer-admin"
    }
    roleRef = {
      apiGroup = "rbac.authorization.k8s.io"
      kind     = "ClusterRole"
      name     = "cluster-admin"
    }
    subjects = [{
      kind      = "ServiceAccount"
      name      = "deployer"
      namespace = "ci"
    }]
  }
}

resource "kubernetes_manifest" "role_binding" {
  manifest = {
    apiVersion = "rbac.authorization.k8s.io/v1"
    kind       = "RoleBinding"
    metadata   = { name = "reader", namespace = "ci" }
    roleRef    = { apiGroup = "rbac.authorization.k8s.io", kind = "Role", name = "reader" }
    subjects   = [{ kind = "ServiceAccount", name = "deployer", namespace = "ci" }]
  }
}

resource "kubernetes_manifest" "secret" {
  manifest = {
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "api", namespace = "ci" }
    stringData = { api_token = var.api }
  }
}

resource "kubernetes_manifest" "config_secret" {
  manifest = {
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "settings", namespace = "ci" }
    stringData = { region = "eu-west-1" }
  }
}

resource "kubernetes_manifest" "deployment" {
  manifest = {
    apiVersion = "apps/v1"
    kind       = "Deployment"
    metadata   = { name = "web", namespace = "ci" }
  }
}

resource "kubernetes_manifest" "from_file" {
  manifest = yamldecode(file("${path.module}/crd.yaml"))
}
