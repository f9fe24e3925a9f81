# An SSM activation code registers machines (a credential); an EKS identity provider config
# trusts an external OIDC issuer (a grant).
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_activation,
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_identity_provider_config
resource "aws_ssm_activation" "hybrid" {
  name               = "hybrid-nodes"
  iam_role           = aws_iam_role.hybrid.id
  registration_limit = "5"
}

resource "aws_eks_identity_provider_config" "oidc" {
  cluster_name = aws_eks_cluster.main.name

  oidc {
    client_id                     = "your client_id"
    identity_provider_config_name = "example"
    issuer_url                    = "https://oidc.example.com"
  }
}
