# kubectl_manifest's yaml_body can hold any object: only a ServiceAccount, a Secret that holds
# a credential, or a (Cluster)RoleBinding is reported.
# https://registry.terraform.io/providers/gavinbunney/kubectl/latest/docs/resources/kubectl_manifest
resource "kubectl_manifest" "service_account" {
  yaml_body = <<YAML
apiVersion: v1
kind: ServiceAccount
metadata:
  name: external-dns
  namespace: kube-system
YAML
}

resource "kubectl_manifest" "binding" {
  yaml_body = <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: external-dns-viewer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: external-dns
subjects:
- kind: ServiceAccount
  name: external-dns
  namespace: kube-system
YAML
}

resource "kubectl_manifest" "secret" {
  yaml_body = <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: registry
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${base64encode(var.docker_config)}
YAML
}

resource "kubectl_manifest" "namespace" {
  yaml_body = <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: apps
YAML
}

resource "kubectl_manifest" "from_file" {
  yaml_body = file("${path.module}/manifests/rbac.yaml")
}
