# A Fastly service authorization and a Kafka ACL are grants; a RabbitMQ user is an identity.
# https://registry.terraform.io/providers/fastly/fastly/latest/docs/resources/service_authorization,
# https://registry.terraform.io/providers/cyrilgdn/rabbitmq/latest/docs/resources/user, https://registry.terraform.io/providers/Mongey/kafka/latest/docs/resources/acl
resource "fastly_service_authorization" "deployer" {
  service_id = fastly_service_vcl.web.id
  user_id    = fastly_user.deployer.id
  permission = "purge_all"
}

resource "rabbitmq_user" "worker" {
  name     = "worker"
  password = var.worker_password
  tags     = ["management"]
}

resource "kafka_acl" "orders" {
  resource_name       = "orders"
  resource_type       = "Topic"
  acl_principal       = "User:orders-service"
  acl_host            = "*"
  acl_operation       = "Write"
  acl_permission_type = "Allow"
}
