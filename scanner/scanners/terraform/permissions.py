"""Permissions beyond the clouds, as the statements reach reads (#25): a GitHub deploy key's
access, an Okta app's scopes, Snowflake privileges and role grants, a Vault policy's paths.

Pure: one block's body in, `{"statements": [...], "grantees": [...]}` out, in the normalised
statement shape of `blocks.statements` (actions `SERVICE:ACTION`, resources as written).
`grantees` names the attributes that point at who receives the permissions, when the block
also names what is granted (a Snowflake role granted to a user). Reach (`lineage.reach`)
attaches them: a deploy key's to itself, a grant's to the identity it names, a Vault policy's
to the roles that list it in `token_policies` or `policies`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scanner.errors import ParseError
from scanner.model import JSON

# Attributes of Vault roles and tokens that attach policies by name (provider docs).
VAULT_ATTACH = ("token_policies", "policies", "allowed_policies")
# Capabilities of a Vault policy path (developer.hashicorp.com/vault/docs/concepts/policies).
_VAULT_CAPABILITIES = frozenset(["create", "read", "update", "patch", "delete", "list", "sudo",
                                 "subscribe", "recover"])  # fmt: skip
_SNOWFLAKE_PRIVILEGES = frozenset(["snowflake_grant_privileges_to_account_role",
                                   "snowflake_grant_privileges_to_role"])  # fmt: skip
# Role grants: the attributes naming who receives the role.
_SNOWFLAKE_ROLES = {"snowflake_grant_account_role": ("user_name", "parent_role_name"),
                    "snowflake_role_grants": ("users", "roles")}  # fmt: skip
# The grant resources before provider 0.93 (`snowflake_database_grant`, `_schema_grant`,
# `_table_grant`, ...): one `privilege` (USAGE when left out, on most), on the object their
# `*_name` attributes name, to the `roles` they list (registry.terraform.io/providers/
# Snowflake-Labs/snowflake/0.92.0/docs/resources/database_grant, schema_grant, table_grant).
_SNOWFLAKE_LEGACY = re.compile(r"snowflake_(\w+)_grant")
_LEGACY_KINDS = frozenset(f"snowflake_{o}_grant" for o in (
    "account", "database", "schema", "warehouse", "table", "view", "stage", "sequence",
    "function", "procedure", "file_format", "pipe", "stream", "task", "integration",
    "materialized_view", "external_table", "masking_policy", "row_access_policy",
    "resource_monitor", "user", "role", "tag"))  # fmt: skip
KINDS = frozenset(["github_repository_deploy_key", "okta_app_oauth_api_scope", "vault_policy",
                   *_SNOWFLAKE_PRIVILEGES, *_SNOWFLAKE_ROLES, *_LEGACY_KINDS])  # fmt: skip


def permissions(kind: str, body: Mapping[str, JSON]) -> JSON:
    """The permissions one block of `KINDS` declares, or None when it declares none."""
    if kind == "github_repository_deploy_key":
        # registry.terraform.io/providers/integrations/github/latest/docs/resources/
        # repository_deploy_key
        writes = body.get("read_only") in (False, "false")  # read_only defaults to true
        return _document([_allow(["github:write" if writes else "github:read"],
                                 [body.get("repository")])])  # fmt: skip
    if kind == "okta_app_oauth_api_scope":
        # registry.terraform.io/providers/okta/okta/latest/docs/resources/app_oauth_api_scope
        scopes = [f"okta:{s}" for s in _texts(body.get("scopes"))]
        return _document([_allow(scopes, [body.get("issuer")])]) if scopes else None
    if kind in _SNOWFLAKE_PRIVILEGES:
        return _snowflake_privileges(body)
    if kind in _LEGACY_KINDS:
        return _snowflake_legacy(kind, body)
    if kind in _SNOWFLAKE_ROLES:  # the grantee may use the role, and do what it may (reach)
        role = body.get("role_name")
        if not isinstance(role, str):
            return None
        found = _document([_allow(["snowflake:USAGE"], [f"ROLE {role}"])], _SNOWFLAKE_ROLES[kind])
        return {**found, "role": role} if "${" not in role and isinstance(found, dict) else found
    policy = body.get("policy")  # a vault_policy
    return vault(policy) if isinstance(policy, str) else None


def _snowflake_privileges(body: Mapping[str, JSON]) -> JSON:
    """registry.terraform.io/providers/snowflakedb/snowflake/latest/docs/resources/
    grant_privileges_to_account_role (and the deprecated grant_privileges_to_role)."""
    privileges = _texts(body.get("privileges"))
    written = [f"snowflake:{p}" for p in privileges]
    if body.get("all_privileges") in (True, "true"):
        written = ["snowflake:*"]
    if not written:
        return None
    return _document([_allow(written, _snowflake_objects(body))],
                     ("account_role_name", "role_name"))  # fmt: skip


def _snowflake_legacy(kind: str, body: Mapping[str, JSON]) -> JSON:
    """A grant resource of provider 0.x: its privilege on its object, to its `roles`."""
    privilege = body.get("privilege", "USAGE")
    found = _SNOWFLAKE_LEGACY.fullmatch(kind)
    if not isinstance(privilege, str) or found is None:
        return None
    word = found[1].replace("_", " ").upper()
    path = [v for k in ("database_name", "schema_name") if isinstance(v := body.get(k), str)]
    named = body.get(f"{found[1]}_name")
    if word in ("DATABASE", "SCHEMA", "ACCOUNT"):
        where = " ".join([word, ".".join(path)]).strip()
    elif isinstance(named, str):
        where = f"{word} {'.'.join([*path, named])}"
    elif path and any(body.get(k) in (True, "true") for k in ("on_future", "on_all")):
        bulk = "FUTURE" if body.get("on_future") in (True, "true") else "ALL"  # made later, or all
        where = f"{bulk} {word}S IN {'SCHEMA' if len(path) > 1 else 'DATABASE'} {'.'.join(path)}"
    else:
        where = word
    return _document([_allow([f"snowflake:{privilege}"], [where])], ("roles",))


def _snowflake_objects(body: Mapping[str, JSON]) -> list[JSON]:
    """What the privileges are on, as Snowflake's GRANT statement writes it."""
    if body.get("on_account") in (True, "true"):
        return ["ACCOUNT"]
    found: list[JSON] = [f"{item.get('object_type')} {item.get('object_name')}"
                         for item in _blocks(body.get("on_account_object"))]  # fmt: skip
    for item in _blocks(body.get("on_schema")):
        if isinstance(item.get("schema_name"), str):
            found.append(f"SCHEMA {item['schema_name']}")
        for key, word in (("all_schemas_in_database", "ALL"), ("future_schemas_in_database",
                                                                "FUTURE")):  # fmt: skip
            if isinstance(item.get(key), str):
                found.append(f"{word} SCHEMAS IN DATABASE {item[key]}")
    for item in _blocks(body.get("on_schema_object")):
        if isinstance(item.get("object_name"), str):
            found.append(f"{item.get('object_type')} {item['object_name']}")
        for word in ("all", "future"):
            for bulk in _blocks(item.get(word)):
                where = next((f"{k[3:].upper()} {bulk[k]}" for k in ("in_schema", "in_database")
                              if isinstance(bulk.get(k), str)), "")  # fmt: skip
                found.append(f"{word.upper()} {bulk.get('object_type_plural')} IN {where}")
    return found


def vault(text: str) -> JSON:
    """A Vault policy's `path` blocks: capabilities as `vault:` actions on the path; `sudo` on
    every path (`*`) is the whole of Vault. `deny` paths are not reach."""
    from scanner.scanners import _hcl  # only HCL files get here: the parser is loaded

    if "${" in text:  # a document built elsewhere: left as `policies` wrote it
        return None
    found: list[JSON] = []
    try:
        blocks = list(_hcl.blocks(text.replace('\\"', '"')))
    except ParseError:
        return {"unknown": "not a Vault policy document"}
    for block in blocks:
        if block.type != "path" or not block.labels:
            continue
        capabilities = _texts(block.body().get("capabilities"))
        if "deny" in capabilities:
            continue
        path = block.labels[0]
        actions = [f"vault:{c}" for c in capabilities if c in _VAULT_CAPABILITIES]
        if path == "*" and "sudo" in capabilities:
            actions = ["vault:*"]
        if actions:
            found.append(_allow(actions, [path]))
    return _document(found)


def _document(statements: list[JSON], grantees: tuple[str, ...] = ()) -> JSON:
    return {"statements": statements, "grantees": list[JSON](grantees)}


def _allow(actions: list[str], resources: list[JSON]) -> JSON:
    kept: list[JSON] = [r for r in resources if isinstance(r, str) and r]
    return {"effect": "Allow", "actions": list[JSON](actions), "not_actions": [],
            "resources": kept, "principals": [], "conditions": []}  # fmt: skip


def _texts(value: JSON) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _blocks(value: JSON) -> list[dict[str, JSON]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]
