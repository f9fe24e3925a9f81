# Terraform accepts a traversal continued on lines that start with `.`; python-hcl2 does not (fabric's
# gke-nodepool): in a block no scanner reads it is never parsed, so the file is no error (#21).
resource "google_service_account" "nodes" {
  account_id   = "gke-nodes"
  display_name = "GKE nodes"
}

resource "google_container_node_pool" "pool" {
  name = "pool"
  node_config {
    enabled = (
      length(try(
        var.node_config.containerd_config
        .private_registry_access_config
        .certificate_authority_domain_config,
        []
      )) > 0
    )
  }
}

resource "google_service_account_key" "nodes" {
  service_account_id = google_service_account.nodes.name
}
