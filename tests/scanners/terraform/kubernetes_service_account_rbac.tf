# Kubernetes: service account, token secret, role and cluster role binding.
resource "kubernetes_service_account_v1" "ci" {
  metadata {
    name      = "ci"
    namespace = "default"
    labels = {
      team = "platform"
    }
  }
}

resource "kubernetes_secret_v1" "ci_token" {
  metadata {
    name = "ci-token"
    annotations = {
      "kubernetes.io/service-account.name" = kubernetes_service_account_v1.ci.metadata[0].name
    }
  }
  type = "kubernetes.io/service-account-token"
}

resource "kubernetes_cluster_role_binding_v1" "ci_admin" {
  metadata {
    name = "ci-admin"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "cluster-admin"
  }
  subject {
    kind      = "ServiceAccount"
    name      = "ci"
    namespace = "default"
  }
}

resource "kubernetes_role" "reader" {
  metadata {
    name = "reader"
  }
  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["get", "list"]
  }
}
