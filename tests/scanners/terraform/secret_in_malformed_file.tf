# The error message must say where, never quote the (fake) secret on the bad line.
resource "github_actions_secret" "leak" {
  plaintext_value = "ghp_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q" "oops"
}
