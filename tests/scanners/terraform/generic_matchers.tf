# Types not in the table but named like identities: the generic suffix matchers catch them.
resource "google_pubsub_topic_iam_binding" "pub" {
  topic   = "t"
  role    = "roles/pubsub.publisher"
  members = ["serviceAccount:a@b.iam.gserviceaccount.com"]
}

resource "acme_role_assignment" "x" {
  role = "admin"
}

resource "acme_role_binding" "y" {
  role = "admin"
}

resource "acme_service_account" "svc" {
  name = "svc"
}

resource "acme_service_account_key" "svc" {
  account = acme_service_account.svc.id
}

resource "acme_access_key" "k" {
}

resource "acme_api_key" "k" {
}

resource "acme_token" "t" {
}
