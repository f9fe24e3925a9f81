# kops writes each key pair's name with its public key's MD5 fingerprint
# (kubernetes/kops tests/integration/update_cluster/*/kubernetes.tf): a hex run is no token.
resource "aws_key_pair" "kubernetes-minimal-example-com-4224e47efb8ebdf64268068a8eb9c533" {
  key_name   = "kubernetes.minimal.example.com-42:24:e4:7e:fb:8e:bd:f6:42:68:06:8a:8e:b9:c5:33"
  public_key = file("${path.module}/data/aws_key_pair_kubernetes.minimal.example.com_public_key")
}
