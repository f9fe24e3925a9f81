"""The Terraform detection catalog: which resource types declare identities, credentials or grants.

Data, not logic: one table by provider and category (from `shared/reference/catalog.md`), the
long-lived (static) credential types, and the generic suffix matchers for types the table does
not name. Resource type names are stable public `kind` values.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from scanner.model import Category

ID, CRED, GRANT = Category.IDENTITY, Category.CREDENTIAL, Category.GRANT

# provider -> category -> resource types (whitespace separated, for readability)
_TABLE: dict[str, dict[Category, str]] = {
    "aws": {
        ID: """aws_iam_user aws_iam_role aws_iam_instance_profile
              aws_iam_service_linked_role aws_iam_user_login_profile""",
        CRED: """aws_iam_access_key aws_iam_service_specific_credential aws_iam_user_ssh_key
              aws_iam_signing_certificate aws_secretsmanager_secret
              aws_secretsmanager_secret_version aws_ssm_parameter aws_api_gateway_api_key
              aws_appsync_api_key aws_cognito_user_pool_client aws_key_pair
              aws_iam_server_certificate aws_transfer_ssh_key aws_ssm_activation""",
        GRANT: """aws_iam_policy aws_iam_role_policy aws_iam_user_policy aws_iam_group_policy
              aws_iam_policy_attachment aws_iam_role_policy_attachment
              aws_iam_user_policy_attachment aws_iam_group_policy_attachment
              aws_iam_group_membership aws_iam_user_group_membership
              aws_iam_openid_connect_provider aws_iam_saml_provider
              aws_rolesanywhere_trust_anchor aws_rolesanywhere_profile aws_kms_grant
              aws_lambda_permission aws_iam_group aws_eks_pod_identity_association
              aws_eks_access_entry aws_eks_access_policy_association
              aws_iam_role_policies_exclusive aws_iam_role_policy_attachments_exclusive
              aws_iam_user_policies_exclusive aws_iam_user_policy_attachments_exclusive
              aws_iam_group_policies_exclusive aws_iam_group_policy_attachments_exclusive
              aws_eks_identity_provider_config aws_db_instance_role_association
              aws_rds_cluster_role_association aws_lakeformation_permissions""",
    },
    "google": {
        ID: """google_service_account google_project_service_identity
              google_project_default_service_accounts google_iam_workload_identity_pool
              google_iam_workload_identity_pool_provider google_sql_user""",
        CRED: """google_service_account_key google_apikeys_key google_storage_hmac_key
              google_sql_ssl_cert google_secret_manager_secret google_secret_manager_secret_version
              google_secret_manager_regional_secret
              google_secret_manager_regional_secret_version""",
        GRANT: """google_project_iam_custom_role google_organization_iam_custom_role
              google_iam_deny_policy""",
    },
    "azurerm": {
        ID: "azurerm_user_assigned_identity",
        CRED: """azurerm_key_vault_secret azurerm_key_vault_certificate
              azurerm_api_management_subscription azurerm_container_registry_token_password""",
        GRANT: """azurerm_role_assignment azurerm_role_definition azurerm_key_vault_access_policy
              azurerm_federated_identity_credential""",
    },
    "azuread": {
        ID: """azuread_application azuread_application_registration azuread_service_principal""",
        CRED: """azuread_application_password azuread_service_principal_password
              azuread_application_certificate azuread_service_principal_certificate
              azuread_service_principal_token_signing_certificate""",
        GRANT: """azuread_application_federated_identity_credential azuread_app_role_assignment
              azuread_service_principal_delegated_permission_grant
              azuread_application_api_access azuread_directory_role_assignment
              azuread_application_owner azuread_application_flexible_federated_identity_credential
              azuread_group_member azuread_directory_role_member""",
    },
    "github": {
        ID: """github_app_installation_repository github_app_installation_repositories
              github_repository_deploy_key github_user_ssh_key github_user_gpg_key""",
        CRED: """github_actions_secret github_actions_organization_secret
              github_actions_environment_secret github_dependabot_secret
              github_dependabot_organization_secret github_codespaces_secret
              github_codespaces_organization_secret github_codespaces_user_secret
              github_repository_webhook github_organization_webhook""",
        GRANT: """github_actions_organization_secret_repositories
              github_actions_repository_oidc_subject_claim_customization_template
              github_actions_organization_oidc_subject_claim_customization_template
              github_repository_collaborator github_team_repository
              github_organization_custom_role""",
    },
    "kubernetes": {
        # kubernetes_manifest: only a ServiceAccount, Secret or (Cluster)RoleBinding (content.py)
        ID: "kubernetes_service_account kubernetes_service_account_v1 kubernetes_manifest",
        CRED: """kubernetes_secret kubernetes_secret_v1 kubernetes_token_request_v1
              kubernetes_certificate_signing_request kubernetes_certificate_signing_request_v1""",
        GRANT: """kubernetes_role kubernetes_role_v1 kubernetes_cluster_role
                 kubernetes_cluster_role_v1
              kubernetes_role_binding kubernetes_role_binding_v1 kubernetes_cluster_role_binding
              kubernetes_cluster_role_binding_v1""",
    },
    "vault": {
        ID: """vault_approle_auth_backend_role vault_identity_entity vault_identity_entity_alias
              vault_kubernetes_auth_backend_role vault_jwt_auth_backend_role
              vault_aws_auth_backend_role vault_cert_auth_backend_role""",
        CRED: """vault_approle_auth_backend_role_secret_id vault_token vault_token_auth_backend_role
              vault_kv_secret_v2 vault_kv_secret vault_generic_secret vault_generic_endpoint
              vault_pki_secret_backend_cert vault_database_secret_backend_connection
              vault_database_secrets_mount""",
        GRANT: """vault_policy vault_aws_secret_backend_role vault_gcp_secret_roleset
              vault_gcp_secret_static_account vault_gcp_secret_impersonated_account
              vault_azure_secret_backend_role vault_database_secret_backend_role
              vault_database_secret_backend_static_role vault_jwt_auth_backend vault_identity_group
              vault_identity_group_member_entity_ids vault_identity_group_member_group_ids""",
    },
    "okta": {
        ID: "okta_app_oauth okta_api_service_integration okta_user okta_app_basic_auth",
        CRED: "okta_api_token okta_app_token okta_hook_key okta_app_shared_credentials",
        GRANT: """okta_app_oauth_api_scope okta_app_oauth_role_assignment okta_admin_role_custom
              okta_admin_role_custom_assignments okta_app_group_assignment
              okta_app_group_assignments okta_app_user okta_group_role okta_group_owner
              okta_group_owners okta_group_memberships""",
    },
    "datadog": {
        ID: "datadog_service_account",
        CRED: """datadog_api_key datadog_application_key datadog_service_account_application_key
              datadog_app_key_registration""",
        # datadog_integration_aws: the account-wide role Datadog assumes (before _aws_account)
        GRANT: """datadog_role datadog_user_role datadog_integration_aws_account
              datadog_integration_aws datadog_integration_gcp_sts datadog_integration_azure""",
    },
    "snowflake": {
        ID: """snowflake_service_user snowflake_legacy_service_user snowflake_user
              snowflake_account_role snowflake_role snowflake_cortex_agent snowflake_mcp_server""",
        CRED: """snowflake_user_programmatic_access_token
              snowflake_api_authentication_integration_with_client_credentials
              snowflake_api_authentication_integration_with_jwt_bearer
              snowflake_user_public_keys
              snowflake_api_authentication_integration_with_authorization_code_grant
              snowflake_secret_with_client_credentials snowflake_secret_with_basic_authentication
              snowflake_secret_with_generic_string
              snowflake_secret_with_authorization_code_grant""",
        GRANT: """snowflake_grant_account_role snowflake_grant_privileges_to_account_role
              snowflake_grant_ownership snowflake_grant_database_role snowflake_role_grants
              snowflake_oauth_integration_for_custom_clients
              snowflake_oauth_integration_for_partner_applications
              snowflake_external_oauth_integration snowflake_api_integration""",
    },
    "gitlab": {
        ID: "gitlab_service_account",
        CRED: """gitlab_service_account_access_token gitlab_project_access_token
              gitlab_group_access_token gitlab_personal_access_token gitlab_deploy_token
              gitlab_deploy_key gitlab_pipeline_trigger gitlab_project_variable
              gitlab_group_variable""",
        GRANT: "gitlab_project_membership gitlab_group_membership",
    },
    "cloudflare": {
        ID: "",
        CRED: """cloudflare_account_token cloudflare_api_token
              cloudflare_zero_trust_access_service_token cloudflare_access_service_token
              cloudflare_workers_secret""",
        GRANT: "",
    },
    "grafana": {
        ID: "grafana_service_account",
        CRED: "grafana_service_account_token grafana_cloud_access_policy_token grafana_api_key",
        GRANT: "grafana_cloud_access_policy grafana_service_account_permission",
    },
    "databricks": {
        ID: "databricks_service_principal",
        CRED: """databricks_service_principal_secret databricks_token databricks_obo_token
              databricks_secret databricks_storage_credential databricks_metastore_data_access
              databricks_credential""",
        GRANT: """databricks_permissions databricks_grants databricks_grant databricks_secret_acl
              databricks_permission_assignment databricks_mws_permission_assignment""",
    },
    "auth0": {
        ID: "auth0_client",
        CRED: "auth0_client_credentials",
        GRANT: "auth0_client_grant",
    },
    "tfe": {
        ID: "",
        CRED: """tfe_team_token tfe_organization_token tfe_agent_token tfe_audit_trail_token
              tfe_variable tfe_oauth_client""",
        GRANT: "tfe_team_access",
    },
    "newrelic": {ID: "", CRED: "newrelic_api_access_key", GRANT: ""},
    "tailscale": {ID: "", CRED: "tailscale_oauth_client tailscale_tailnet_key", GRANT: ""},
    "mongodbatlas": {
        ID: "mongodbatlas_database_user",
        CRED: "mongodbatlas_api_key mongodbatlas_project_api_key",
        GRANT: "",
    },
    "confluent": {
        ID: "confluent_service_account",
        CRED: "confluent_api_key",
        GRANT: "confluent_role_binding",
    },
    "tls": {ID: "", CRED: "tls_private_key", GRANT: ""},
    "digitalocean": {ID: "", CRED: "digitalocean_container_registry_docker_credentials", GRANT: ""},
    "yandex": {ID: "", CRED: "yandex_lockbox_secret yandex_lockbox_secret_version", GRANT: ""},
    # Only where one flows into a credential attribute (content.py)
    "random": {ID: "", CRED: "random_password random_string random_id", GRANT: ""},
    "hcp": {ID: "hcp_service_principal", CRED: "hcp_service_principal_key", GRANT: ""},
    "postgresql": {ID: "postgresql_role", CRED: "", GRANT: "postgresql_grant"},
    "mysql": {ID: "mysql_user", CRED: "", GRANT: "mysql_grant"},
    "rabbitmq": {ID: "rabbitmq_user", CRED: "", GRANT: ""},
    "kafka": {ID: "", CRED: "", GRANT: "kafka_acl"},
    "fastly": {ID: "", CRED: "", GRANT: "fastly_service_authorization"},
    # kubectl_manifest: only a ServiceAccount, Secret or (Cluster)RoleBinding (content.py)
    "kubectl": {ID: "kubectl_manifest", CRED: "", GRANT: ""},
    # keycloak_openid_client: only a client with a secret, not a PUBLIC one (content.py)
    "keycloak": {
        ID: "keycloak_openid_client",
        CRED: "",
        GRANT: """keycloak_openid_client_service_account_role
              keycloak_openid_client_service_account_realm_role""",
    },
}

# Key material that does not expire or rotate by itself: the credentials that outlive people.
STATIC = frozenset(
    [
        "aws_iam_access_key",
        "aws_iam_user_login_profile",
        "aws_iam_service_specific_credential",
        "aws_iam_user_ssh_key",
        "aws_iam_signing_certificate",
        "aws_api_gateway_api_key",
        "google_service_account_key",
        "google_apikeys_key",
        "google_storage_hmac_key",
        "azuread_application_password",
        "azuread_service_principal_password",
        "azuread_application_certificate",
        "azuread_service_principal_certificate",
        "github_repository_deploy_key",
        "github_user_ssh_key",
        "okta_api_token",
        "okta_app_token",
        "datadog_api_key",
        "datadog_application_key",
        "datadog_service_account_application_key",
        "snowflake_user_programmatic_access_token",
        "gitlab_project_access_token",
        "gitlab_group_access_token",
        "gitlab_personal_access_token",
        "gitlab_deploy_token",
        "gitlab_deploy_key",
        "gitlab_service_account_access_token",
        "cloudflare_api_token",
        "cloudflare_account_token",
        "grafana_service_account_token",
        "grafana_api_key",
        "databricks_token",
        "databricks_service_principal_secret",
        "tfe_team_token",
        "tfe_organization_token",
        "tfe_agent_token",
        "newrelic_api_access_key",
        "mongodbatlas_api_key",
        "confluent_api_key",
        "tls_private_key",
        "auth0_client_credentials",
        "azuread_service_principal_token_signing_certificate",
        "hcp_service_principal_key",
    ]
)

# Types the table does not name, by suffix, checked in this order (first match wins).
_GENERIC: tuple[tuple[str, Category], ...] = (
    # Shared access (SAS) keys of Service Bus, Event Hubs, Relay, Notification Hubs (#19)
    (r"azurerm_\w+_authorization_rule", CRED),
    (r"vault_\w+_auth_backend_role", ID),  # who may log in to Vault through that method
    (r"vault_\w+_secret_backend", CRED),  # an engine configured with its root credential
    # What credentials an engine issues, to whom (PKI and SSH certificates, dynamic users)
    (r"vault_\w+_secret_backend_(static_)?role", GRANT),
    (r"snowflake_grant_\w+", GRANT),
    (r"snowflake_\w+_grants?", GRANT),  # the grant resources before provider 0.93 (#2884)
    (r"gitlab_\w+_membership", GRANT),
    (r"datadog_integration_\w+", CRED),  # only when it holds a key (content.py)
    (r".+_iam_(member|binding|policy)", GRANT),
    (r".+_role_assignment", GRANT),
    (r".+_role_binding", GRANT),
    (r".+_service_account_(key|token|secret)", CRED),
    (r".+_ssh_key", CRED),  # a login key registered for machines (digitalocean_ssh_key)
    # Who may use an identity, granted to a project or team (mongodbatlas_*_project_assignment)
    (r".+_(project|org|organization|team)_assignment", GRANT),
    (r".+_service_account.*", ID),
    (r".+_(access_key|api_key|token)", CRED),
)
_GENERIC_RE = tuple((re.compile(pattern), category) for pattern, category in _GENERIC)


class Entry(NamedTuple):
    category: Category
    provider: str


CATALOG: dict[str, Entry] = {
    kind: Entry(category, provider)
    for provider, by_category in _TABLE.items()
    for category, kinds in by_category.items()
    for kind in kinds.split()
}


# Where an identity may connect from, not an identity: IP access lists of an API key or a
# service account (mongodbatlas_access_list_api_key, *_service_account_access_list_entry).
_NOT_IDENTITY = re.compile(r".+_access_list(?:_\w+)?")


def classify(resource_type: str) -> Entry | None:
    """The catalog entry for a resource type, from the table or a generic matcher."""
    entry = CATALOG.get(resource_type)
    if entry is not None:
        return entry
    if _NOT_IDENTITY.fullmatch(resource_type):
        return None
    for pattern, category in _GENERIC_RE:
        if pattern.fullmatch(resource_type):
            return Entry(category, resource_type.partition("_")[0])
    return None


POLICY_DOCUMENT = "aws_iam_policy_document"  # the one data source lineage reads
LINEAGE_ONLY = frozenset(["github_repository"])  # not identities; lineage reads their names
_HCL_BLOCK = re.compile(r'^[ \t]*(resource|module|data)[ \t]+"?([\w-]*)', re.MULTILINE)


def worth_parsing(text: str) -> bool:
    """Whether the text names a catalog resource type or a module (false positives are fine)."""
    return any(read(keyword, (kind,)) for keyword, kind in _HCL_BLOCK.findall(text))


def read(keyword: str, labels: tuple[str, ...]) -> bool:
    """A block the scanner reads: a catalog (or lineage) resource, a module, a policy document."""
    kind = labels[0] if labels else ""
    return (
        keyword == "module"
        or (keyword == "data" and kind == POLICY_DOCUMENT)
        or (keyword == "resource" and (classify(kind) is not None or kind in LINEAGE_ONLY))
    )
