# Who runs as an AWS role, from its trust policy and the bindings that name it.
# Lambda execution role: https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
# EC2 role, partition-neutral service principal (`ec2.${dns_suffix}`), its documents counted and
# read as `x[0].json`, as terraform-aws-modules write them:
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/partition
# https://developer.hashicorp.com/terraform/language/meta-arguments/count (`<TYPE>.<NAME>[<INDEX>]`)
# EKS IRSA trust: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
# EKS Pod Identity: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html and
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_pod_identity_association
resource "aws_iam_role" "lambda" {
  name = "orders-handler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "ec2" {
  count = 1
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.${data.aws_partition.current.dns_suffix}"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "node"
  assume_role_policy = data.aws_iam_policy_document.ec2[0].json
}

data "aws_iam_policy_document" "node" {
  for_each = toset(["logs"])
  statement {
    actions   = ["logs:PutLogEvents"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "node" {
  role   = aws_iam_role.node.id
  policy = data.aws_iam_policy_document.node["logs"].json
}

resource "aws_iam_openid_connect_provider" "eks" {
  url             = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
  client_id_list  = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "irsa" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(aws_iam_openid_connect_provider.eks.url, "https://", "")}:sub"
      values   = ["system:serviceaccount:kube-system:aws-load-balancer-controller"]
    }
    condition {
      test     = "StringLike"
      variable = "${replace(aws_iam_openid_connect_provider.eks.url, "https://", "")}:sub"
      values   = ["system:serviceaccount:${var.namespace}:*"]
    }
  }
}

resource "aws_iam_role" "load_balancer_controller" {
  name               = "aws-load-balancer-controller"
  assume_role_policy = data.aws_iam_policy_document.irsa.json
}

resource "kubernetes_service_account_v1" "load_balancer_controller" {
  metadata {
    name      = "aws-load-balancer-controller"
    namespace = "kube-system"
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.load_balancer_controller.arn
    }
  }
}

resource "aws_iam_role" "karpenter" {
  name = "karpenter"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Principal = { Service = "pods.eks.amazonaws.com" }
    }]
  })
}

resource "aws_eks_pod_identity_association" "karpenter" {
  cluster_name    = "prod"
  namespace       = "karpenter"
  service_account = "karpenter"
  role_arn        = aws_iam_role.karpenter.arn
}

resource "aws_eks_pod_identity_association" "from_inputs" {
  cluster_name    = "prod"
  namespace       = var.namespace
  service_account = var.service_account
  role_arn        = aws_iam_role.karpenter.arn
}

# The issuer and the subjects built by expressions, as cloudposse's eks-iam-role writes them
# (still a Kubernetes service account, not resolved).
data "aws_iam_policy_document" "built" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [format("arn:%s:iam::%s:oidc-provider/%s", "aws", "111122223333", local.issuer)]
    }
    condition {
      test     = "StringLike"
      variable = format("%s:sub", local.issuer)
      values   = formatlist("system:serviceaccount:%s", local.accounts)
    }
  }
}

resource "aws_iam_role" "built" {
  name               = "built"
  assume_role_policy = data.aws_iam_policy_document.built.json
}
