"""Who may trade an outside token for an identity: the issuer and the subject a federation
resource trusts, as written, so a reader sees which repository or workload can sign in.

Facts only (`federation_issuer`, `federation_subject`): an expression is kept as Terraform
users write it (`var.subject`, `repo:${var.repo}:ref:refs/heads/main`), a value holding a secret
is never kept, and an attribute not written is left out (no guess that it means "anyone").
AWS trust policies are read by lineage from `assume_role_policy` instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner import secrets
from scanner.model import JSON

# kind -> (issuer attributes, subject attributes); `a.b` reads attribute b of nested block a.
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # registry.terraform.io/providers/hashicorp/azuread/latest/docs/resources/
    # application_federated_identity_credential (and azurerm's federated_identity_credential)
    "azuread_application_federated_identity_credential": (("issuer",), ("subject",)),
    "azurerm_federated_identity_credential": (("issuer",), ("subject",)),
    "azuread_application_flexible_federated_identity_credential": (
        ("issuer",), ("claims_matching_expression",)),
    # .../hashicorp/google/latest/docs/resources/iam_workload_identity_pool_provider
    "google_iam_workload_identity_pool_provider": (("oidc.issuer_uri",), ("attribute_condition",)),
    # .../hashicorp/vault/latest/docs/resources/jwt_auth_backend_role (and jwt_auth_backend)
    "vault_jwt_auth_backend_role": ((), ("bound_subject", "bound_claims")),
    "vault_jwt_auth_backend": (("bound_issuer", "oidc_discovery_url"), ()),
    "aws_iam_openid_connect_provider": (("url",), ()),
}  # fmt: skip


def facts(kind: str, body: Mapping[str, JSON]) -> dict[str, JSON]:
    """`federation_issuer` / `federation_subject` of one block, where written."""
    issuers, subjects = _FIELDS.get(kind, ((), ()))
    found: dict[str, JSON] = {}
    for name, fields in (("federation_issuer", issuers), ("federation_subject", subjects)):
        for field in fields:
            value = _written(_read(body, field))
            if value is not None:
                found[name] = value
                break
    return found


def _read(body: Mapping[str, JSON], field: str) -> JSON:
    block, _, attribute = field.rpartition(".")
    if not block:
        return body.get(field)
    nested = body.get(block)
    items = nested if isinstance(nested, list) else [nested]
    return next((item.get(attribute) for item in items if isinstance(item, dict)), None)


def _written(value: JSON) -> JSON:
    """A value as Terraform users write it, or None when empty or holding a secret."""
    if isinstance(value, dict):
        kept = {key: _written(item) for key, item in value.items()}
        found: dict[str, JSON] = {key: item for key, item in kept.items() if item is not None}
        return found or None
    if isinstance(value, list):
        listed: list[JSON] = [item for item in (_written(v) for v in value) if item is not None]
        return listed or None
    if not isinstance(value, str) or not value.strip() or secrets.secret_in(value):
        return None
    text = value.strip()
    if text.startswith("${") and text.endswith("}") and text.count("${") == 1:
        return text[2:-1]
    return text
