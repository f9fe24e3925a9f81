"""Links among one repository's identities: Terraform references and trust
(`lineage.terraform`), who runs as an identity (`lineage.workloads`), module instances,
identical declarations, and consumption by name across scanners. Pure functions over a
`Graph`; nothing here reads files or guesses an expression.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from scanner.lineage import terraform, workloads
from scanner.lineage.graph import Graph
from scanner.model import Identity, Link

RELATIONS = {
    "belongs_to": "a credential (or dependent principal) of this identity",
    "grants": "a policy attachment or role assignment that gives this identity permissions",
    "uses_policy": "an attachment that attaches this policy",
    "stored_as": "this credential's value is written into that secret store",
    "consumes": "reads a secret that this identity creates or holds, by name",
    "assumes": "federates (OIDC) into this role or service account, or lets a workload run as it",
    "assumable_by": "who may run as this identity: GitHub OIDC subjects, AWS services, Kubernetes "
    "service accounts, other OIDC subjects or GCP principals its trust or bindings admit",
    "instance_of": "a module instance of this definition",
    "duplicate_of": "an identity whose normalised declaration is identical to this one",
}


def link(graph: Graph, identities: Sequence[Identity], repository: str) -> tuple[Link, ...]:
    """Every link among one repository's identities, sorted."""
    found = [
        *terraform.links(graph),
        *workloads.links(graph),
        *_instance_links(graph),
        *_duplicates(graph),
        *consumption(identities, graph, repository),
    ]
    return tuple(sorted(set(found), key=order))


def order(link: Link) -> tuple[str, str, str, str, str]:
    """Links in a stable order: two between the same identities with the same relation (a
    grant naming its identity in `object_id` and in `tenant_id`) by their evidence, never by
    the set's hash order, which changes from one process to the next."""
    return (link.source, link.relation, link.to, link.evidence,
            json.dumps(link.attributes, sort_keys=True))  # fmt: skip


def _instance_links(graph: Graph) -> Iterator[Link]:
    for node in graph.nodes:
        if node.prefix and node.identity is not None and not node.folded:
            definition = str(node.identity.attributes.get("defined_at"))
            yield Link(source=node.identity.id, to=definition, relation="instance_of",
                       evidence=f"{node.identity.attributes.get('module')} instantiates "
                       f"{node.identity.attributes.get('module_source')}")  # fmt: skip


def _duplicates(graph: Graph) -> Iterator[Link]:
    groups: dict[str, list[Identity]] = defaultdict(list)
    for node in graph.nodes:
        if node.identity is not None and node.digest is not None:
            groups[node.digest].append(node.identity)
    for members in groups.values():
        first, *rest = sorted(set(members), key=lambda i: i.id)
        for other in rest:
            yield Link(source=other.id, to=first.id, relation="duplicate_of",
                       evidence=f"{other.kind} {other.attributes.get('address')} is declared "
                       f"exactly as {first.attributes.get('address')}")  # fmt: skip


def consumption(identities: Sequence[Identity], graph: Graph, repository: str) -> Iterator[Link]:
    """Workflow secrets and MCP credentials to what creates or holds them, by name."""
    created = terraform.created_secrets(graph, repository)
    roles = terraform.federation_targets(graph)
    by_name: dict[str, list[Identity]] = defaultdict(list)
    for identity in identities:
        if identity.kind in ("dotenv_credential", "workflow_secret"):
            by_name[identity.name.upper()].append(identity)
    for identity in identities:
        if identity.kind == "workflow_secret":
            for target, evidence in created.get(identity.name.upper(), ()):
                yield Link(source=identity.id, to=target, relation="consumes",
                           evidence=f"secrets.{identity.name} is {evidence}")  # fmt: skip
        elif identity.kind == "workflow_oidc":
            key = terraform.federation_key(identity)
            for target, evidence in roles.get(key or "", ()):
                yield Link(
                    source=identity.id,
                    to=target,
                    relation="assumes",
                    evidence=f"the step federates into {identity.name}; {evidence}",
                )
        elif identity.kind == "mcp_credential":
            yield from _mcp_consumes(identity, by_name)


def _mcp_consumes(identity: Identity, by_name: Mapping[str, list[Identity]]) -> Iterator[Link]:
    """An MCP credential to the `.env` files and secrets that hold its value: by the variable
    its value names (`${VAR}`), and by the variable the server reads (its `env` key) when a
    `.env` file (`.env.example` too) declares that one: the same secret, written down twice,
    so that each half is seen with the other (issue 18)."""
    ref = identity.attributes.get("ref")
    linked = set()
    if identity.attributes.get("value_source") in ("env_ref", "secret_ref") and ref:
        for other in by_name.get(str(ref).upper(), ()):
            linked.add(other.id)
            evidence = f"its value is ${{{ref}}}, which {other.path} declares"
            yield Link(source=identity.id, to=other.id, relation="consumes", evidence=evidence)
    if identity.attributes.get("placement") != "env":
        return
    for other in by_name.get(identity.name.upper(), ()):
        if other.kind == "dotenv_credential" and other.id not in linked:
            yield Link(source=identity.id, to=other.id, relation="consumes",
                       evidence=f"the server reads it as {identity.name}, which {other.path} "
                       "also declares")  # fmt: skip
