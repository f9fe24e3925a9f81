"""Reach: what an identity can do, from the policies attached to it in the same configuration.

Inline JSON, `jsonencode(...)` and `aws_iam_policy_document` statements are read; managed
policies and roles attached by name are listed as written (`AdministratorAccess`, `roles/owner`
and Azure's `Owner` count as admin). Anything that is an expression we cannot resolve is
listed under `unknown`, as written: reach is never guessed. Beyond the clouds (#25), what a
block declares as `permissions` (`scanners.terraform.permissions`) counts for itself or for
whom it grants to, and a Vault role or token reaches the `vault_policy` documents it lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scanner.lineage.graph import Graph, Node
from scanner.lineage.terraform import statements
from scanner.model import JSON, Category, Link, Reach
from scanner.scanners.terraform.expressions import addresses
from scanner.scanners.terraform.permissions import VAULT_ATTACH

# Managed policies and roles that are exactly "everything on everything".
ADMIN = frozenset(["arn:aws:iam::aws:policy/AdministratorAccess", "roles/owner", "Owner"])
# Vault's own policy that allows everything (developer.hashicorp.com/vault/docs/concepts/policies).
_VAULT_ROOT = "root"
_SNOWFLAKE_ROLES = ("snowflake_account_role", "snowflake_role")
# Where a GCP binding or an Azure role assignment holds, as a resource: its literal scope.
_SCOPES = (("project", "projects/"), ("bucket", "buckets/"), ("scope", ""))


@dataclass
class _Summary:
    admin: bool = False
    services: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)
    managed: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)

    def add(self, found: Sequence[Mapping[str, JSON]], unknown: Sequence[str], where: str) -> None:
        self.unknown.update(f"{where}: {item}" for item in unknown)
        for statement in found:
            if statement.get("effect") == "Allow":
                self._statement(statement, where)

    def _statement(self, statement: Mapping[str, JSON], where: str) -> None:
        actions, resources = _texts(statement.get("actions")), _texts(statement.get("resources"))
        for action in _texts(statement.get("not_actions")):
            self.actions.add(f"everything except {action}")
        for action in actions:
            if "${" in action:
                self.unknown.add(f"{where}: action {_plain(action)}")
            elif action == "*" and "*" in resources:
                self.admin = True
            elif action == "*" or action.endswith(":*"):
                self.services.add(action.partition(":")[0])
            else:
                self.actions.add(action)
        for resource in resources:
            if resource == "*":
                continue
            named = list(addresses(resource))
            if "${" in resource and (not named or "var." in resource or "local." in resource):
                self.unknown.add(f"{where}: resource {_plain(resource)}")
            else:
                self.resources.add(_plain(resource))

    def value(self, identity: str) -> Reach:
        return Reach(
            identity=identity,
            admin=self.admin,
            services=tuple(sorted(self.services)),
            actions=tuple(sorted(self.actions - {a for a in self.actions
                                                 if a.partition(":")[0] in self.services})),
            resources=tuple(sorted(self.resources)),
            managed=tuple(sorted(self.managed)),
            unknown=tuple(sorted(self.unknown)),
        )  # fmt: skip


def reach(graph: Graph, links: Sequence[Link]) -> tuple[Reach, ...]:
    """One `Reach` per principal that has a permission policy written in the configuration."""
    nodes = {n.identity.id: n for n in graph.nodes if n.identity is not None and not n.folded}
    grants: dict[str, list[Node]] = defaultdict(list)
    for item in links:
        if item.relation == "grants" and item.source in nodes:
            grants[item.to].append(nodes[item.source])
    vault, roles = _named(nodes, ("vault_policy",)), _named(nodes, _SNOWFLAKE_ROLES)
    result = []
    for identity_id, node in sorted(nodes.items()):
        assert node.identity is not None
        kind = node.identity.kind
        if node.identity.category is not Category.IDENTITY and not kind.startswith("vault_"):
            continue  # a Vault token or token role holds its policies itself
        summary = _Summary()
        inline = [k for k in node.block.policies
                  if k.startswith("inline_policy.") or k == "permissions"]  # fmt: skip
        for key in inline:
            summary.add(*statements(graph, node, node.block.policies[key]), node.block.address)
        arns = node.block.settings.get("managed_policy_arns")  # an aws_iam_role's own list
        if isinstance(arns, list):
            summary.managed.update(str(arn) for arn in arns)
            summary.admin = summary.admin or bool(summary.managed & ADMIN)
        for grant in grants.get(identity_id, ()):
            _grant(graph, grant, summary, node)
            for role in _granted(graph, grant, node, roles):  # what the role may do, too
                for other in grants.get(role, ()):
                    if other is not grant and _grantee(graph, other, nodes[role]):
                        _grant(graph, other, summary, nodes[role])
        attached = _vault(graph, node, vault, summary)
        if inline or identity_id in grants or summary.managed or attached:
            result.append(summary.value(identity_id))
    return tuple(result)


def _named(nodes: Mapping[str, Node], kinds: Sequence[str]) -> dict[str, Node]:
    """Blocks of `kinds` by their literal `name` (a Vault policy, a Snowflake role)."""
    return {str(n.block.settings["name"]): n for n in nodes.values()
            if n.identity is not None and n.identity.kind in kinds
            and isinstance(n.block.settings.get("name"), str)}  # fmt: skip


def _granted(graph: Graph, grant: Node, identity: Node, roles: Mapping[str, Node]) -> list[str]:
    """The Snowflake role a role grant gives `identity` (by reference or by name), if any."""
    if "permissions" not in grant.block.policies or not _grantee(graph, grant, identity):
        return []
    named = grant.block.references.get("role_name")
    found = [graph.resolve(grant, str(a)) for a in named] if isinstance(named, list) else []
    document = grant.block.policies["permissions"]
    written = document.get("role") if isinstance(document, dict) else None
    found.append(roles.get(written) if isinstance(written, str) else None)
    return [n.identity.id for n in found if n is not None and n.identity is not None
            and n.identity.kind in _SNOWFLAKE_ROLES and n is not identity]  # fmt: skip


def _vault(graph: Graph, node: Node, policies: Mapping[str, Node], summary: _Summary) -> bool:
    """The Vault policies a role or token lists (`token_policies`, ...): by reference or by
    name; `root` is the whole of Vault. True when it lists any."""
    block, listed = node.block, False
    for key in VAULT_ATTACH:
        named = block.references.get(key)
        targets = [graph.resolve(node, str(a)) for a in named] if isinstance(named, list) else []
        written = block.settings.get(key)
        names = [str(n) for n in written] if isinstance(written, list) else []
        listed = listed or bool(targets or names)
        summary.services.update("vault" for n in names if n == _VAULT_ROOT)
        targets += [policies.get(n) for n in names if n != _VAULT_ROOT]
        for target in targets:
            if target is not None and "policy" in target.block.policies:
                found, unknown = statements(graph, target, target.block.policies["policy"])
                summary.add(found, unknown, target.block.address)
    return listed


def _grantee(graph: Graph, grant: Node, identity: Node) -> bool:
    """Whether `identity` receives what `grant` declares (not only is named by it: a
    Snowflake role granted to a user names both)."""
    grantees = grant.block.policies.get("permissions")  # none: a grant lineage cannot read
    keys = grantees.get("grantees") if isinstance(grantees, dict) else None
    if not isinstance(keys, list) or not keys:
        return True
    for key in keys:
        named = grant.block.references.get(str(key))
        for address in named if isinstance(named, list) else []:
            if graph.resolve(grant, str(address)) is identity:
                return True
    return False


def _grant(graph: Graph, node: Node, summary: _Summary, identity: Node) -> None:
    """What one attachment, inline policy or role assignment contributes."""
    block, where = node.block, node.block.address
    kind = node.identity.kind if node.identity is not None else ""
    settings = block.settings
    if "permissions" in block.policies and _grantee(graph, node, identity):
        summary.add(*statements(graph, node, block.policies["permissions"]), where)
    for key in ("policy_arn", "role_definition_name"):
        if isinstance(settings.get(key), str):
            summary.managed.add(str(settings[key]))
    if kind.endswith(("_iam_member", "_iam_binding")) and isinstance(settings.get("role"), str):
        summary.managed.add(str(settings["role"]))
    if "role" in settings or "role_definition_name" in settings:  # the scope it is granted at
        for key, prefix in _SCOPES:
            if isinstance(settings.get(key), str):
                summary.resources.add(f"{prefix}{settings[key]}")
    summary.admin = summary.admin or bool(summary.managed & ADMIN)
    if "policy" in block.policies and kind != "aws_iam_policy":
        summary.add(*statements(graph, node, block.policies["policy"]), where)
    named = block.references.get("policy_arn")
    for address in named if isinstance(named, list) else []:
        target = graph.resolve(node, str(address))
        if target is not None and "policy" in target.block.policies:
            found, unknown = statements(graph, target, target.block.policies["policy"])
            summary.add(found, unknown, target.block.address)
        else:
            summary.unknown.add(f"{where}: policy_arn {address}")
    if "policy_arn" in block.references or "policy_arn" in settings:
        return
    if kind.endswith("_policy_attachment"):
        summary.unknown.add(f"{where}: policy_arn is an expression")


def _texts(value: JSON) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _plain(text: str) -> str:
    """`${aws_s3_bucket.b.arn}/*` as a reader writes it: `aws_s3_bucket.b.arn/*`."""
    return text.replace("${", "").replace("}", "")
