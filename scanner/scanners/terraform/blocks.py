"""What the Terraform scanner records for lineage: references, settings, policies, a digest.

Pure helpers over one block's body (python-hcl2's shape, expressions as `${...}` text). The
linking stage (`scanner/lineage/`) joins these `TerraformBlock` facts across the files of a
configuration. Values that may be secret are never kept: settings are a closed list of names,
and the digest replaces every literal under a value attribute with a marker.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from scanner import secrets
from scanner.model import JSON, TerraformBlock
from scanner.scanners.terraform.expressions import (
    VALUE_KEYS,
    addresses,
    forwarded,
    strings,
    variables,
)
from scanner.scanners.terraform.permissions import KINDS, VAULT_ATTACH, permissions

# Literal settings that link identities by name: never credential values.
_SETTINGS = ("name", "secret_name", "repository", "environment", "url", "account_id", "email",
             "policy_arn", "role", "role_definition_name", "member", "members", "path", "mount",
             "display_name", "visibility", "source", "managed_policy_arns", "scope", "project",
             "bucket", "namespace", "service_account", *VAULT_ATTACH)  # fmt: skip
_META = frozenset(["provider", "providers", "depends_on", "lifecycle"])
_JSONENCODE = re.compile(r"\$\{\s*jsonencode\((?P<inner>.*)\)\s*\}", re.DOTALL)
# `data.aws_iam_policy_document.x.json`, also of one instance of a counted or keyed block
# (`...x[0].json`, `...x["k"].json`, as terraform-aws-modules write every trust policy).
_POLICY_REF = re.compile(
    r"\$\{\s*(?P<address>(?:data\.)?[a-z][a-z0-9]*_\w+\.[A-Za-z_][\w-]*)"
    r"(?:\[[^\[\]{}]*\])?\.(?:json|minified_json|policy)\s*\}"
)


def block(
    path: str, address: str, kind: str, body: Mapping[str, JSON], line: int, end_line: int
) -> TerraformBlock:
    """The lineage facts of one resource, data source (`data.` address) or module call."""
    named = references(body)
    if _aws_managed(body.get("policy_arn")) is not None:  # the partition it names is no policy
        named.pop("policy_arn", None)
    return TerraformBlock(
        path=path,
        address=address,
        line=line,
        end_line=end_line,
        references=named,
        settings=settings(body),
        policies=policies(kind, body),
        digest=digest(kind, body),
        inputs=inputs(body, call=kind == "module"),
        values=values(body) if kind == "module" else (),
    )


def inputs(body: Mapping[str, JSON], call: bool = False) -> dict[str, JSON]:
    """Top-level attribute -> the input variables its expression reads, in order; a module
    call lists every argument, so expansion knows what it passes (`name = each.key` too)."""
    found: dict[str, JSON] = {}
    for key, value in body.items():
        named = list(dict.fromkeys(variables(value)))
        if named or (call and key not in _CALL_META):
            found[key] = list[JSON](named)
    return found


# A module call's arguments that are not inputs of the module.
_CALL_META = frozenset(["source", "version", "depends_on", "count", "lifecycle", "providers"])


def values(body: Mapping[str, JSON]) -> tuple[str, ...]:
    """A module call's arguments written with a value of their own (`for_each` included), and
    `providers` when it hands the module an aliased configuration (`aws = aws.eu`)."""
    found = sorted(key for key, value in body.items()
                   if key not in _CALL_META and not forwarded(value))  # fmt: skip
    providers = body.get("providers")
    if isinstance(providers, dict) and any("." in str(v) for v in providers.values()):
        found.append("providers")
    return tuple(found)


def references(body: Mapping[str, JSON]) -> dict[str, JSON]:
    """Top-level attribute -> the block addresses its expressions name, in order."""
    found: dict[str, JSON] = {}
    for key, value in body.items():
        named = list(dict.fromkeys(a for text in strings(value) for a in addresses(text)))
        if named:
            found[key] = list[JSON](named)
    return found


def settings(body: Mapping[str, JSON]) -> dict[str, JSON]:
    """The literal settings in `_SETTINGS`, plus Kubernetes `metadata.name`."""
    found: dict[str, JSON] = {}
    metadata = body.get("metadata")
    if isinstance(metadata, list) and metadata and isinstance(metadata[0], dict):
        body = {**body, "metadata.name": metadata[0].get("name")}
    for key in (*_SETTINGS, "metadata.name"):
        value = body.get(key)
        listed = isinstance(value, list) and bool(value) and all(_plain(v) for v in value)
        if listed or _plain(value):
            found[key] = _stripped(value)
    managed = _aws_managed(body.get("policy_arn"))
    if managed is not None:
        found["policy_arn"] = managed
    return found


# An AWS managed policy whose partition alone is an expression, as modules write it for GovCloud
# and China (`arn:${data.aws_partition.current.partition}:iam::aws:policy/X`, or `format("arn:%s:
# iam::aws:policy/X", local.partition)`): the policy is known, so reach sees AdministratorAccess.
_PARTITIONED = re.compile(
    r'arn:\$\{[^{}"]+\}:iam::aws:policy/(?P<a>[\w+=,.@/-]+)'
    r'|\$\{\s*format\(\s*"arn:%s:iam::aws:policy/(?P<b>[\w+=,.@/-]+)"\s*,[^"{}]+\)\s*\}'
)


def _aws_managed(value: JSON) -> str | None:
    """`arn:aws:iam::aws:policy/X` for a managed policy ARN written with its partition as an
    expression (the `aws` partition stands for the others: the policy is the same), else None."""
    found = _PARTITIONED.fullmatch(value) if isinstance(value, str) else None
    return f"arn:aws:iam::aws:policy/{found['a'] or found['b']}" if found else None


def _plain(value: JSON) -> bool:
    """A literal string that is no expression and holds no secret (a URL's userinfo is
    removed before the setting is kept, so only the rest of the URL counts)."""
    return (
        isinstance(value, str)
        and bool(value)
        and "${" not in value
        and secrets.secret_in(secrets.strip_userinfo(value)) is None
    )


def _stripped(value: JSON) -> JSON:
    """A kept setting without the userinfo of any URL in it (#16)."""
    if isinstance(value, list):
        return [_stripped(item) for item in value]
    return secrets.strip_userinfo(value) if isinstance(value, str) else value


def policies(kind: str, body: Mapping[str, JSON]) -> dict[str, JSON]:
    """Policy documents written in the block, normalised (see `statements`)."""
    if kind == "aws_iam_policy_document":
        sources: list[JSON] = [
            {"ref": address}
            for key in ("source_policy_documents", "override_policy_documents")
            for text in strings(body.get(key))
            for address in addresses(text)
        ]
        return {"document": {"statements": _document_statements(body), "includes": sources}}
    found: dict[str, JSON] = {}
    for key in ("policy", "assume_role_policy"):
        if key in body:
            found[key] = policy(body[key])
    inline = body.get("inline_policy")
    for index, item in enumerate(inline if isinstance(inline, list) else []):
        if isinstance(item, dict) and "policy" in item:
            found[f"inline_policy.{index}"] = policy(item["policy"])
    declared = permissions(kind, body) if kind in KINDS else None
    if declared is not None:  # beyond the clouds (#25): a Vault policy's own language
        found["policy" if kind == "vault_policy" else "permissions"] = declared
    return found


def policy(value: JSON) -> JSON:
    """A policy attribute: `{"statements": [...]}`, `{"ref": address}` or `{"unknown": text}`."""
    if not isinstance(value, str):
        return {"statements": statements(value)} if isinstance(value, dict) else _unknown(value)
    text = value.strip()
    encoded = _JSONENCODE.fullmatch(text)
    if encoded is not None:
        from scanner.scanners import _hcl  # only HCL files get here: the parser is loaded

        document = _hcl.expression(encoded["inner"])
        return {"statements": statements(document)} if isinstance(document, dict) else \
            _unknown(value)  # fmt: skip
    reference = _POLICY_REF.fullmatch(text)
    if reference is not None:
        return {"ref": reference["address"]}
    if "${" in text:
        return _unknown(value)
    for candidate in (text, text.replace('\\"', '"')):  # python-hcl2 escapes `<<-` heredocs
        try:
            document = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(document, dict):
            return {"statements": statements(document)}
    return {"unknown": "not a JSON policy document"}


def _unknown(value: JSON) -> JSON:
    text = value if isinstance(value, str) else json.dumps(value)
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    if secrets.secret_in(text) is not None:  # an expression around a literal secret (#16)
        return {"unknown": "an expression holding a secret"}
    return {"unknown": " ".join(secrets.strip_userinfo(text).split())[:120]}


def statements(document: Mapping[str, JSON]) -> list[JSON]:
    """An IAM JSON policy's statements as `{effect, actions, not_actions, resources, ...}`."""
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    result: list[JSON] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        principal = item.get("Principal")
        principals: list[JSON] = (
            [{"type": "*", "identifiers": ["*"]}]
            if principal == "*"
            else [{"type": str(k), "identifiers": _list(v)} for k, v in principal.items()]
            if isinstance(principal, dict)
            else []
        )
        conditions: list[JSON] = []
        condition = item.get("Condition")
        for test, pairs in condition.items() if isinstance(condition, dict) else []:
            conditions.extend(
                {"test": str(test), "variable": str(variable), "values": _list(values)}
                for variable, values in (pairs.items() if isinstance(pairs, dict) else [])
            )
        result.append(_statement(item.get("Effect"), item.get("Action"), item.get("NotAction"),
                                 item.get("Resource"), principals, conditions))  # fmt: skip
    return result


def _document_statements(body: Mapping[str, JSON]) -> list[JSON]:
    """The `statement` blocks of an `aws_iam_policy_document` data source."""
    raw = body.get("statement")
    result: list[JSON] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        principals: list[JSON] = [
            {"type": str(p.get("type")), "identifiers": _list(p.get("identifiers"))}
            for p in _blocks(item.get("principals"))
        ]
        conditions: list[JSON] = [
            {"test": str(c.get("test")), "variable": str(c.get("variable")),
             "values": _list(c.get("values"))}
            for c in _blocks(item.get("condition"))
        ]  # fmt: skip
        result.append(_statement(item.get("effect"), item.get("actions"),
                                 item.get("not_actions"), item.get("resources"), principals,
                                 conditions))  # fmt: skip
    return result


def _statement(
    effect: JSON, actions: JSON, not_actions: JSON, resources: JSON,
    principals: list[JSON], conditions: list[JSON],
) -> JSON:  # fmt: skip
    return {
        "effect": effect if isinstance(effect, str) else "Allow",
        "actions": _list(actions),
        "not_actions": _list(not_actions),
        "resources": _list(resources),
        "principals": principals,
        "conditions": conditions,
    }


def _blocks(value: JSON) -> list[dict[str, JSON]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def _list(value: JSON) -> list[JSON]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    return [item if isinstance(item, str) else json.dumps(item) for item in items]


def digest(kind: str, body: Mapping[str, JSON]) -> str | None:
    """A digest of the normalised body, for `duplicate_of`: meta-arguments and literal values
    left out, so a role copied to a second region (another `provider`) keeps its digest."""
    kept = {key: _masked(key, value) for key, value in body.items() if key not in _META}
    if not kept:
        return None
    text = json.dumps([kind, kept], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _masked(key: str, value: JSON) -> JSON:
    if key not in VALUE_KEYS:
        return value
    if isinstance(value, str) and "${" not in value:
        return "<literal>"
    if isinstance(value, dict):
        return {k: _masked(key, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(key, v) for v in value]
    return value
