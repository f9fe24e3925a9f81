"""Links that Terraform references state: `belongs_to`, `grants`, `uses_policy`, `stored_as`,
and `assumable_by` from an `aws_iam_role`'s trust policy that admits GitHub's OIDC provider.

Pure functions over a `lineage.graph.Graph`. A reference is followed only to a block declared in the
same configuration (the folder, or the same module instance); anything else is not linked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from scanner.lineage.graph import Graph, Node
from scanner.model import JSON, Category, Identity, Link
from scanner.scanners.terraform.expressions import VALUE_KEYS, addresses

GITHUB_OIDC = "token.actions.githubusercontent.com"
GITHUB_SECRETS = frozenset(["github_actions_secret", "github_actions_environment_secret",
                            "github_actions_organization_secret"])  # fmt: skip
# Where a credential's value can be written: the `stored_as` targets.
STORAGE = GITHUB_SECRETS | frozenset([
    "github_dependabot_secret", "github_dependabot_organization_secret",
    "github_codespaces_secret", "github_codespaces_organization_secret",
    "vault_kv_secret_v2", "vault_kv_secret", "vault_generic_secret",
    "aws_secretsmanager_secret_version", "aws_ssm_parameter", "kubernetes_secret",
    "kubernetes_secret_v1", "google_secret_manager_secret_version", "azurerm_key_vault_secret",
    "databricks_secret", "cloudflare_workers_secret",
])  # fmt: skip
_PARENTS = frozenset(
    [
        "aws_secretsmanager_secret",
        "google_secret_manager_secret",
        "google_secret_manager_regional_secret",
    ]
)  # a version belongs to them
_POLICY_KINDS = frozenset(["aws_iam_policy"])
# A binding that lets a subject run as an identity -> the attributes naming that identity. It
# gives the identity no permissions: `lineage.workloads` links it (`assumes`, `assumable_by`).
# registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_pod_identity_association,
# .../azurerm/latest/docs/resources/federated_identity_credential (`parent_id`, renamed
# `user_assigned_identity_id`), .../azuread/latest/docs/resources/
# application_federated_identity_credential, .../google/latest/docs/resources/
# google_service_account_iam (the service account is the resource, not the member).
BINDINGS: dict[str, tuple[str, ...]] = {
    "aws_eks_pod_identity_association": ("role_arn",),
    "azurerm_federated_identity_credential": ("parent_id", "user_assigned_identity_id"),
    "azuread_application_federated_identity_credential": ("application_object_id",
                                                          "application_id"),
    "azuread_application_flexible_federated_identity_credential": ("application_id",),
    "google_service_account_iam_member": ("service_account_id",),
    "google_service_account_iam_binding": ("service_account_id",),
}  # fmt: skip
# A Kubernetes service account that names one of these (a workload identity annotation:
# eks.amazonaws.com/role-arn, iam.gke.io/gcp-service-account, azure.workload.identity/client-id)
# runs as it.
_KUBERNETES_ACCOUNTS = frozenset(["kubernetes_service_account", "kubernetes_service_account_v1"])
_RUNS_AS = frozenset(["aws_iam_role", "google_service_account", "azurerm_user_assigned_identity",
                      "azuread_application", "azuread_service_principal"])  # fmt: skip
_POLICY_ATTRIBUTES = frozenset(["policy", "assume_role_policy", "inline_policy"])
MAX_POLICY_DEPTH = 4


def links(graph: Graph) -> Iterator[Link]:
    """The reference and trust links of every Terraform identity in the graph."""
    for node in graph.nodes:
        if node.identity is None:
            continue
        for attribute, named in node.block.references.items():
            if attribute in _POLICY_ATTRIBUTES or not isinstance(named, list):
                continue
            if attribute in BINDINGS.get(node.identity.kind, ()):
                continue  # not a grant: `workloads` links what it lets run as the identity
            for address in named:
                target = graph.resolve(node, str(address))
                if target is None or target.identity is None or target is node:
                    continue
                yield from _reference(graph, node, attribute, target)
        if node.identity.kind == "aws_iam_role":
            yield from _trust(graph, node)


def _reference(graph: Graph, node: Node, attribute: str, target: Node) -> Iterator[Link]:
    source, other = node.identity, target.identity
    assert source is not None and other is not None
    here, there = address_of(node), address_of(target)
    if source.kind in STORAGE and attribute in VALUE_KEYS:
        where = storage(graph, node)
        yield Link(source=other.id, to=source.id, relation="stored_as",
                   evidence=f"{here} writes {there} into {_describe(source.kind, where)}",
                   attributes={**where, "attribute": attribute})  # fmt: skip
    elif source.category is Category.GRANT:
        if other.category is Category.IDENTITY:
            yield Link(source=source.id, to=other.id, relation="grants",
                       evidence=f"{here} names {there} in `{attribute}`")  # fmt: skip
        elif other.kind in _POLICY_KINDS:
            yield Link(source=source.id, to=other.id, relation="uses_policy",
                       evidence=f"{here} attaches {there} (`{attribute}`)")  # fmt: skip
    elif source.kind in _KUBERNETES_ACCOUNTS and attribute == "metadata" and \
            other.kind in _RUNS_AS:  # fmt: skip
        yield Link(source=source.id, to=other.id, relation="assumes",
                   evidence=f"{here} runs as {there}: its `metadata` (a workload identity "
                   "annotation) names it")  # fmt: skip
    elif other.category is Category.IDENTITY or other.kind in _PARENTS:
        yield Link(source=source.id, to=other.id, relation="belongs_to",
                   evidence=f"{here} names {there} in `{attribute}`")  # fmt: skip


def address_of(node: Node) -> str:
    """The address of what a node stands for: a folded instance speaks for its definition."""
    if node.folded and node.identity is not None:
        return str(node.identity.attributes.get("address", node.block.address))
    return node.block.address


def storage(graph: Graph, node: Node) -> dict[str, JSON]:
    """The secret's name (and repository) a storage block writes, when written literally."""
    settings, kind = node.block.settings, node.block.address.rpartition(".")[0].split(".")[-1]
    found: dict[str, JSON] = {"store": kind}
    name = (settings.get("secret_name") or settings.get("metadata.name")
            or settings.get("path") or settings.get("name"))  # fmt: skip
    if kind == "aws_secretsmanager_secret_version":
        parent = _referenced(graph, node, "secret_id")
        name = None if parent is None else parent.block.settings.get("name")
    if name is not None:
        found["secret_name"] = name
    if kind in GITHUB_SECRETS and kind != "github_actions_organization_secret":
        repository = repository_of(graph, node)
        if repository is not None:
            found["repository"] = repository
    return found


def _describe(kind: str, where: Mapping[str, JSON]) -> str:
    name = where.get("secret_name", "(name not written literally)")
    repository = f" in repository {where['repository']}" if "repository" in where else ""
    return f"{kind} {name}{repository}"


def _referenced(graph: Graph, node: Node, attribute: str) -> Node | None:
    named = node.block.references.get(attribute)
    if not isinstance(named, list) or not named:
        return None
    return graph.resolve(node, str(named[0]))


def repository_of(graph: Graph, node: Node) -> str | None:
    """A GitHub secret's repository: written literally, or a `github_repository`'s `name`."""
    written = node.block.settings.get("repository")
    if isinstance(written, str):
        return written
    target = _referenced(graph, node, "repository")
    name = None if target is None else target.block.settings.get("name")
    return name if isinstance(name, str) else None


def same_repository(written: str, full_name: str) -> bool:
    """`payments-infra` or `acme/payments-infra` both name `acme/payments-infra`."""
    return written.lower() in (full_name.lower(), full_name.rpartition("/")[2].lower())


def created_secrets(graph: Graph, repository: str) -> dict[str, list[tuple[str, str]]]:
    """Upper-cased GitHub Actions secret name -> (identity id, evidence) of what creates it here.

    Only secrets this repository's workflows can read: an organization secret, or a repository
    secret whose repository is this one. A repository that is an unresolved expression is
    not assumed to be this one.
    """
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for node in graph.nodes:
        identity = node.identity
        name = node.block.settings.get("secret_name")
        if identity is None or node.folded or identity.kind not in GITHUB_SECRETS or \
                not isinstance(name, str):  # fmt: skip
            continue
        address = node.block.address
        if identity.kind == "github_actions_organization_secret":
            found[name.upper()].append((identity.id, f"an organization secret {address} creates"))
            continue
        written = repository_of(graph, node)
        if written is not None and same_repository(written, repository):
            found[name.upper()].append((identity.id, f"created by {address} in {written}"))
    return found


def federation_targets(graph: Graph) -> dict[str, list[tuple[str, str]]]:
    """`aws:<role name>` / `gcp:<account id>` -> (identity id, evidence) of what creates it."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for node in graph.nodes:
        identity = node.identity
        if identity is None or node.folded:  # the definition's node says the same
            continue
        if identity.kind == "aws_iam_role" and isinstance(node.block.settings.get("name"), str):
            name = node.block.settings["name"]
            found[f"aws:{name}"].append((identity.id, f"{node.block.address} creates role {name}"))
        account = node.block.settings.get("account_id")
        if identity.kind == "google_service_account" and isinstance(account, str):
            found[f"gcp:{account}"].append(
                (identity.id, f"{node.block.address} creates service account {account}")
            )
    return found


def federation_key(identity: Identity) -> str | None:
    """The role or service account a `workflow_oidc` step names, as a `federation_targets` key."""
    name, provider = identity.name, identity.attributes.get("provider")
    if "${{" in name:
        return None  # `role-to-assume: ${{ secrets.ROLE }}`: unknown, never guessed
    if provider == "aws" and ":role/" in name:
        return f"aws:{name.rpartition('/')[2]}"
    if provider == "gcp" and name.endswith(".iam.gserviceaccount.com"):
        return f"gcp:{name.partition('@')[0]}"
    return None


def statements(
    graph: Graph, node: Node, policy: JSON, depth: int = 0
) -> tuple[list[Mapping[str, JSON]], list[str]]:
    """A policy attribute's statements, following `aws_iam_policy_document` references, and
    what could not be resolved (as written)."""
    if not isinstance(policy, dict):
        return [], []
    if depth > MAX_POLICY_DEPTH:
        return [], ["policy documents nested too deeply"]
    listed = policy.get("statements")
    if isinstance(listed, list):
        return [s for s in listed if isinstance(s, dict)], []
    reference = policy.get("ref")
    if isinstance(reference, str):
        target = graph.resolve(node, reference)
        if target is None:
            return [], [reference]
        document = target.block.policies.get("document") or target.block.policies.get("policy")
        if not isinstance(document, dict):
            return [], [reference]
        found, unknown = statements(graph, target, document, depth + 1)
        includes = document.get("includes")
        for include in includes if isinstance(includes, list) else []:
            more, missing = statements(graph, target, include, depth + 1)
            found, unknown = [*found, *more], [*unknown, *missing]
        return found, unknown
    return [], [str(policy.get("unknown", "unknown policy"))]


def _trust(graph: Graph, node: Node) -> Iterator[Link]:
    assert node.identity is not None
    found, _ = statements(graph, node, node.block.policies.get("assume_role_policy"))
    for statement in found:
        if statement.get("effect") != "Allow" or not admits_github(graph, node, statement):
            continue
        subjects = [
            (str(condition.get("test")), str(value))
            for condition in listed(statement.get("conditions"))
            if condition.get("variable") == f"{GITHUB_OIDC}:sub"
            for value in strings(condition.get("values"))
        ]
        if not subjects:
            yield Link(source=node.identity.id, to="github-oidc:*", relation="assumable_by",
                       evidence="trust policy admits GitHub OIDC with no `sub` condition: "
                       "any repository on GitHub", attributes={"subject": "*"})  # fmt: skip
        for test, subject in subjects:
            yield _subject_link(node.identity, test, subject)


def _subject_link(role: Identity, test: str, subject: str) -> Link:
    to, attributes = github_subject(subject)
    if "${" in subject:
        return Link(source=role.id, to=to, relation="assumable_by",
                    evidence=f"trust policy admits GitHub OIDC subjects from "
                    f"`{attributes['expression']}`, which is not resolved",
                    attributes=attributes)  # fmt: skip
    return Link(source=role.id, to=to, relation="assumable_by",
                evidence=f"trust policy admits GitHub OIDC subject {subject} ({test})",
                attributes={"subject": subject, "test": test, **attributes})  # fmt: skip


def github_subject(subject: str) -> tuple[str, dict[str, JSON]]:
    """A GitHub OIDC `sub` as a link target and its attributes (repository, qualifier)."""
    if "${" in subject:
        return "github-oidc:unknown", {"expression": subject.removeprefix("${").removesuffix("}")}
    parts = subject.split(":", 2)
    attributes: dict[str, JSON] = {"subject": subject}
    if parts[0] == "repo" and len(parts) >= 2:
        attributes["repository"] = parts[1]
        attributes["qualifier"] = parts[2] if len(parts) == 3 else "*"
    return f"github-oidc:{subject}", attributes


def admits_github(graph: Graph, node: Node, statement: Mapping[str, JSON]) -> bool:
    for condition in listed(statement.get("conditions")):
        if str(condition.get("variable", "")).startswith(f"{GITHUB_OIDC}:"):
            return True
    for principal in listed(statement.get("principals")):
        if principal.get("type") != "Federated":
            continue
        for identifier in strings(principal.get("identifiers")):
            if GITHUB_OIDC in identifier or any(
                GITHUB_OIDC in str(_url(graph, node, address)) for address in addresses(identifier)
            ):
                return True
    return False


def _url(graph: Graph, node: Node, address: str) -> JSON:
    target = graph.resolve(node, address)
    return None if target is None else target.block.settings.get("url")


def listed(value: JSON) -> list[Mapping[str, JSON]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def strings(value: JSON) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
