# The error message must say where, never quote the (fake) secret on the bad line.
resource "github_actions_secret" "leak" {
  plaintext_value = "ghp_abcdefghijklmnopqrstuvwxyz0123456789" "oops"
}
