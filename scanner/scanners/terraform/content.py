"""Resource types whose type is not enough: the Terraform scanner asks here what one block is.

A key vault secret, an SSM parameter or a Kubernetes secret holds a credential or a setting
(an API server URL, an issuer URI); a `kubernetes_manifest` can be anything; a `random_password`
is key material only once it is written into a credential attribute (#19). Decided from names,
types, references and the *shape* of a literal (`secrets`): a value is never kept.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from scanner import secrets
from scanner.model import JSON, Category
from scanner.scanners.terraform.catalog import CATALOG, classify
from scanner.scanners.terraform.expressions import SECRET_VALUE_KEYS, addresses, strings

# Words that make a name (`db-password`, `/prod/api_key`, `var.client_secret`) a credential's.
_CREDENTIAL_WORDS = frozenset(["password", "passwd", "pwd", "secret", "token", "apikey",
                               "credential", "credentials", "kubeconfig", "passphrase",
                               "sas", "dsn", "connstr", "pat"])  # fmt: skip
_CREDENTIAL_PAIRS = frozenset(["api_key", "access_key", "private_key", "client_secret",
                               "connection_string", "account_key", "shared_key", "primary_key",
                               "secondary_key", "master_key", "auth_key", "signing_key",
                               "kube_config", "admin_key", "service_key", "ssh_key",
                               "license_key", "hmac_key", "encryption_key"])  # fmt: skip
# A last word that makes the name a setting about a credential, not one (`token_url`).
_SETTING_TAIL = frozenset(["url", "uri", "endpoint", "host", "hostname", "fqdn", "issuer", "id",
                           "name", "arn", "region", "domain", "port", "path", "user",
                           "username", "email", "login", "ttl", "expiry", "version", "enabled",
                           "type", "audience", "tenant", "subscription"])  # fmt: skip
# `each.key`, `count.index`: where a loop is, not what a value is.
_ITERATION = frozenset(["each", "count", "self", "path", "terraform"])
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PLAIN_TYPES = ("String", "StringList")  # SSM parameter types for plain values
_SECRET_TYPES = frozenset(["kubernetes.io/service-account-token", "kubernetes.io/dockercfg",
                           "kubernetes.io/dockerconfigjson", "kubernetes.io/basic-auth",
                           "kubernetes.io/ssh-auth", "kubernetes.io/tls",
                           "bootstrap.kubernetes.io/token"])  # fmt: skip
_MANIFEST_KINDS = {"ServiceAccount": Category.IDENTITY, "Secret": Category.CREDENTIAL,
                   "RoleBinding": Category.GRANT, "ClusterRoleBinding": Category.GRANT}  # fmt: skip
_YAML_KIND = re.compile(r"^kind:[ \t]*[\"']?(\w+)", re.MULTILINE)
_YAML_TYPE = re.compile(r"^type:[ \t]*[\"']?([\w./-]+)", re.MULTILINE)
_YAML_KEY = re.compile(r"^[ \t]+[\"']?([\w.-]+)[\"']?:", re.MULTILINE)
_KEY_ATTRIBUTES = frozenset(["api_key", "api_token", "app_key", "private_key", "client_secret",
                             "service_key", "secret_access_key", "api_secret", "access_key",
                             "opsgenie_api_key", "auth_token", "password"])  # fmt: skip
# Random values that are key material once written into a credential attribute (a random_id's
# `hex` as a database password is common).
RANDOM = ("random_password", "random_string", "random_id")
STORAGE = frozenset(["azurerm_key_vault_secret", "aws_ssm_parameter",
                     "google_secret_manager_secret_version", "kubernetes_secret",
                     "kubernetes_secret_v1", "databricks_secret"])  # fmt: skip


class Verdict(NamedTuple):
    """What a block is once its content is read: a category (None: not reported) and why."""

    category: Category | None
    reason: str | None = None


def credential_word(name: str) -> bool:
    """Whether an attribute, variable or secret name denotes a credential (`db-password`,
    `storage_account_key`, `var.client_secret`), not a setting about one (`token_url`)."""
    words = [w.lower() for w in _WORD.findall(_CAMEL.sub("_", name))]
    if not words or words[-1] in _SETTING_TAIL:
        return False
    if any(w in _CREDENTIAL_WORDS for w in words):
        return True
    pairs = {f"{a}_{b}" for a, b in itertools.pairwise(words)}
    return bool(pairs & _CREDENTIAL_PAIRS) or (words[-1] == "key" and "public" not in words)


def decide(kind: str, label: str, body: Mapping[str, JSON], flows: bool) -> Verdict:
    """The category of one catalog block (`label`: its name label), read from its content where
    its type is not enough; `flows`: a random_password is written into a credential attribute
    in the file."""
    entry = classify(kind)
    assert entry is not None
    category = entry.category
    if kind in RANDOM:
        return Verdict(category if flows else None, "flows into a credential")
    if kind in STORAGE:
        return _storage(kind, label, body)
    if kind == "kubernetes_manifest":
        return _manifest(body.get("manifest"))
    if kind == "kubectl_manifest":
        return _yaml_manifest(body.get("yaml_body"))
    if kind == "postgresql_role":  # a role nobody logs in with is a group of grants
        login = body.get("login") is True or "password" in body
        return Verdict(category if login else Category.GRANT, "login")
    if kind in ("vault_generic_secret", "vault_generic_endpoint"):
        return _vault_path(kind, body)
    if kind == "keycloak_openid_client":  # a PUBLIC client has no secret: a login page's
        # registry.terraform.io/providers/keycloak/keycloak/latest/docs/resources/openid_client
        public = body.get("access_type") == "PUBLIC"
        return Verdict(None if public else category, "access type")
    if kind in ("tfe_variable", "gitlab_project_variable", "gitlab_group_variable"):
        return _variable(body)
    if kind in ("github_repository_webhook", "github_organization_webhook"):
        # registry.terraform.io/providers/integrations/github/latest/docs/resources/
        # repository_webhook: `configuration { secret = ... }` signs each delivery
        signed = any(key == "secret" for key, _ in _items(body.get("configuration")))
        return Verdict(category if signed else None, "signing secret")
    if kind.startswith("datadog_integration_") and kind not in CATALOG:
        held = any(key in _KEY_ATTRIBUTES for key, _ in _items(body))
        return Verdict(category if held else None, "holds a key")
    return Verdict(category)


def _storage(kind: str, label: str, body: Mapping[str, JSON]) -> Verdict:
    """A stored value is a credential when its type, name (its own, its block's, its parent
    secret's) or value says so, and configuration when they say that instead (a `String`
    parameter, a name ending in `url`, a literal or a resource's endpoint as the value, #19).
    When nothing says either (`name = var.name`, `value = var.value`: a module for secrets),
    it stays a credential: what a secret store holds by default."""
    credential = Category.CREDENTIAL
    kind_type = body.get("type")
    if kind == "aws_ssm_parameter" and kind_type == "SecureString":
        return Verdict(credential, "type")
    if kind.startswith("kubernetes_secret"):
        if isinstance(kind_type, str) and kind_type in _SECRET_TYPES:
            return Verdict(credential, "type")
        data = [item for field in ("data", "binary_data") for item in _pairs(body.get(field))]
        names: list[JSON] = [_metadata_name(body), *(k for k, _ in data)]
        values = [v for _, v in data]
        settings = bool(data) and all(_setting_value(value) for value in values)
    else:
        names = [body.get(key) for key in ("name", "secret", "content_type", "key")]
        values = [body.get(key) for key in ("value", "secret_data", "insecure_value", "value_wo",
                                            "string_value")]  # fmt: skip
        settings = any(_setting_name(name) for name in names) or any(
            _setting_value(value) for value in values
        )
        settings = settings or (kind == "aws_ssm_parameter" and kind_type in _PLAIN_TYPES)
    if credential_word(label) or any(_named(name) for name in names):
        return Verdict(credential, "name")
    if any(_valued(value) for value in values):
        return Verdict(credential, "value")
    return Verdict(None if settings else credential, "unknown content")


# What a write to a Vault path declares, by the path (developer.hashicorp.com/vault/api-docs):
# a login (`auth/<mount>/role/<r>`, `auth/userpass/users/<u>`), a role that issues credentials
# (`ssh/roles/<r>`, `database/roles/<r>`), a policy (`sys/policy/<p>`), other `sys/` settings.
_VAULT_PATHS = (
    (re.compile(r"auth/[^/]+/(?:role|users|certs|groups)/.+"), Category.IDENTITY, "login"),
    (re.compile(r"sys/polic(?:y|ies)/.+"), Category.GRANT, "policy"),
    (re.compile(r"sys/.*"), None, "setting"),
    (re.compile(r"[^/]+/data/.+"), Category.CREDENTIAL, "stored secret"),  # KV version 2
    (re.compile(r"[^/]+(?:/[^/]+)*/(?:roles|static-roles|role|roleset|static-account)/.+"),
     Category.GRANT, "issuing role"),
)  # fmt: skip
_JSON_KEY = re.compile(r'"?([\w.-]+)"?\s*[:=](?!=)')


def _vault_path(kind: str, body: Mapping[str, JSON]) -> Verdict:
    """registry.terraform.io/providers/hashicorp/vault/latest/docs/resources/generic_secret and
    generic_endpoint: what the write declares is read from its path. A generic_endpoint that
    configures an engine (`gitlab/config/default`) holds a credential only when its data names
    one; a generic_secret elsewhere, and any write to a KV path, is a stored secret."""
    path = body.get("path")
    written = re.sub(r"\$\{[^}]*\}", "x", path).strip("/") if isinstance(path, str) else ""
    for pattern, category, reason in _VAULT_PATHS:
        if pattern.fullmatch(written):
            return Verdict(category, reason)
    if kind == "vault_generic_endpoint" and "/config" in f"/{written}":
        data = body.get("data_json")
        keys = _JSON_KEY.findall(data) if isinstance(data, str) else []
        named = any(credential_word(key) for key in keys)
        return Verdict(Category.CREDENTIAL if named else None, "engine setting")
    return Verdict(Category.CREDENTIAL, "stored secret")


def _setting_name(value: JSON) -> bool:
    """A literal name about a setting (`aks-api-server-url`, `oidc-issuer`)."""
    if not isinstance(value, str) or "${" in value:
        return False
    words = [w.lower() for w in _WORD.findall(_CAMEL.sub("_", value))]
    return bool(words) and words[-1] in _SETTING_TAIL


def _setting_value(value: JSON) -> bool:
    """A value that is no secret (a literal `_valued` did not take), or an expression reading
    a resource's setting (`azurerm_kubernetes_cluster.main.kube_config[0].host`)."""
    if not isinstance(value, str) or not value.strip():
        return False
    if "${" not in value:
        return not _valued(value)
    read = list(addresses(value))
    return bool(read) and not _valued(value)


def _named(value: JSON) -> bool:
    """A literal name that is a credential's, or an expression naming one (`var.db_password`,
    `google_secret_manager_secret.api_key.id`)."""
    if not isinstance(value, str):
        return False
    if "${" not in value:
        return any(credential_word(part) for part in re.split(r"[/:]", value))
    labels = [address.rpartition(".")[2] for address in addresses(value)]  # `...secret.api_key`
    return any(credential_word(word) for word in [*labels, *_expression_words(value)])


def _valued(value: JSON) -> bool:
    """A literal shaped like a secret, or an expression reading key material."""
    if not isinstance(value, str):
        return False
    if "${" not in value:
        return secrets.detect(value) is not None or secrets.looks_secret(value)
    if any(_key_material(address) for address in addresses(value)):
        return True
    return any(credential_word(word) for word in _expression_words(value))


def _key_material(address: str) -> bool:
    kind = address.removeprefix("data.").partition(".")[0]
    entry = classify(kind)
    return kind in (*RANDOM, "tls_private_key") or (
        entry is not None and entry.category is Category.CREDENTIAL and kind not in STORAGE
    )


def _expression_words(text: str) -> Iterator[str]:
    """The names an expression reads (`var.x`, `local.y`, `a.b.primary_access_key`), without
    its string literals and function names."""
    inner = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    for chain in re.findall(r"[A-Za-z_][\w-]*(?:\[[^\]]*\])?(?:\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)*",
                            inner):  # fmt: skip
        parts = [re.sub(r"\[.*", "", part) for part in chain.split(".")]
        if len(parts) >= 2 and parts[0] not in _ITERATION:  # `var.db_password`: the last name
            yield parts[-1]


def _manifest(manifest: JSON) -> Verdict:
    if not isinstance(manifest, dict):
        return Verdict(None)  # `yamldecode(file(...))`: not read
    category = _MANIFEST_KINDS.get(str(manifest.get("kind")))
    if category is not Category.CREDENTIAL:
        return Verdict(category, "manifest kind")
    return _storage("kubernetes_secret", "", {**manifest, "data": _merged(manifest)})


def _yaml_manifest(text: JSON) -> Verdict:
    if not isinstance(text, str) or "${file(" in text or "${templatefile(" in text:
        return Verdict(None)
    found = _YAML_KIND.search(text)
    category = _MANIFEST_KINDS.get(found[1]) if found else None
    if category is not Category.CREDENTIAL:
        return Verdict(category, "manifest kind")
    kind_type = _YAML_TYPE.search(text)
    if kind_type is not None and kind_type[1] in _SECRET_TYPES:
        return Verdict(category, "type")
    named = any(credential_word(key) for key in _YAML_KEY.findall(text))
    return Verdict(category if named else None, "name")


def _merged(manifest: Mapping[str, JSON]) -> dict[str, JSON]:
    found: dict[str, JSON] = {}
    for field in ("data", "stringData"):
        value = manifest.get(field)
        if isinstance(value, dict):
            found.update(value)
    return found


def _variable(body: Mapping[str, JSON]) -> Verdict:
    """A CI or workspace variable is a credential when it is hidden or named like one."""
    hidden = any(body.get(flag) is True for flag in ("sensitive", "masked", "hidden"))
    if hidden:
        return Verdict(Category.CREDENTIAL, "sensitive")
    key = body.get("key")
    named = isinstance(key, str) and "${" not in key and credential_word(key)
    return Verdict(Category.CREDENTIAL if named else None, "name")


def _metadata_name(body: Mapping[str, JSON]) -> JSON:
    metadata = body.get("metadata")
    if isinstance(metadata, list) and metadata and isinstance(metadata[0], dict):
        return metadata[0].get("name")
    return metadata.get("name") if isinstance(metadata, dict) else None


def _pairs(value: JSON) -> list[tuple[str, JSON]]:
    items = value if isinstance(value, list) else [value]
    return [pair for item in items if isinstance(item, dict) for pair in item.items()]


def _items(value: JSON | Mapping[str, JSON]) -> Iterator[tuple[str, JSON]]:
    """Every `(key, value)` of a body, nested blocks included."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield key, item
            yield from _items(item)
    elif isinstance(value, list):
        for item in value:
            yield from _items(item)


def flows(bodies: Iterable[tuple[str, Mapping[str, JSON]]]) -> dict[str, list[JSON]]:
    """A random value's address -> the `address/attribute`s of the file it is written into: a
    credential attribute (`password = random_password.db.result`, a module's `db_password`) or
    the value of a stored credential (`value` of a key vault secret)."""
    found: dict[str, list[JSON]] = {}
    for address, body in bodies:
        entry = classify(address.partition(".")[0])
        stored = entry is not None and entry.category is Category.CREDENTIAL
        for key, value in _items(body):
            if not (credential_word(key) or (stored and key in SECRET_VALUE_KEYS)):
                continue
            for text in strings(value):
                for target in addresses(text):
                    if target.startswith(tuple(f"{k}." for k in RANDOM)) and target != address:
                        found.setdefault(target, [])
                        if f"{address}/{key}" not in found[target]:
                            found[target].append(f"{address}/{key}")
    return found
