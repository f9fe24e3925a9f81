# Who gets into an EKS cluster: pod identity, access entries and their policies are grants.
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_pod_identity_association, .../eks_access_entry,
# .../eks_access_policy_association
resource "aws_eks_pod_identity_association" "app" {
  cluster_name    = aws_eks_cluster.main.name
  namespace       = "payments"
  service_account = "payments-api"
  role_arn        = aws_iam_role.payments.arn
}

resource "aws_eks_access_entry" "ci" {
  cluster_name      = aws_eks_cluster.main.name
  principal_arn     = aws_iam_role.ci.arn
  kubernetes_groups = ["group-1"]
  type              = "STANDARD"
}

resource "aws_eks_access_policy_association" "ci" {
  cluster_name  = aws_eks_cluster.main.name
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
  principal_arn = aws_iam_role.ci.arn

  access_scope {
    type       = "namespace"
    namespaces = ["payments"]
  }
}

# An RDS instance or cluster given an IAM role (S3 import, Lambda): a grant, like pod identity.
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance_role_association,
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_cluster_role_association
resource "aws_db_instance_role_association" "s3_import" {
  db_instance_identifier = aws_db_instance.main.identifier
  feature_name           = "S3_INTEGRATION"
  role_arn               = aws_iam_role.s3_import.arn
}

resource "aws_rds_cluster_role_association" "lambda" {
  db_cluster_identifier = aws_rds_cluster.main.id
  feature_name          = "Lambda"
  role_arn              = aws_iam_role.lambda.arn
}
