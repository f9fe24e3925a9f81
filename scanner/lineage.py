"""Lineage: module instances, and the links between identities (a pure stage after detect).

`expand` turns each local `module` call into instances of the module folder's identities
(`module.eu.aws_iam_role.this`, declared where the call is written, so blame names whoever
wrote the call). `link` then joins facts into `Link`s: Terraform references and trust
(`lineage_terraform`), consumption by name across scanners, and identical bodies; `reach`
summarises policies (`lineage_reach`). Nothing here reads files or guesses an expression.
"""

from __future__ import annotations

import dataclasses
import hashlib
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from scanner import lineage_reach, lineage_terraform
from scanner.model import JSON, Attributed, Identity, Link, Reach, Report, TerraformBlock

RELATIONS = {
    "belongs_to": "a credential (or dependent principal) of this identity",
    "grants": "a policy attachment or role assignment that gives this identity permissions",
    "uses_policy": "an attachment that attaches this policy",
    "stored_as": "this credential's value is written into that secret store",
    "consumes": "reads a secret that this identity creates or holds, by name",
    "assumes": "federates (OIDC) into this role or service account",
    "assumable_by": "GitHub OIDC subjects that this role's trust policy admits",
    "instance_of": "a module instance of this definition",
    "duplicate_of": "an identity whose normalised declaration is identical to this one",
}
MAX_MODULE_DEPTH = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """A Terraform block in its configuration: the folder, and the module prefix of an instance."""

    folder: str
    prefix: str  # "" at a folder's own level, "module.eu." inside an instance
    block: TerraformBlock  # an instance's block has its full address and the call's lines
    identity: Identity | None
    digest: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Graph:
    """The identities with module instances added, and every Terraform block placed."""

    identities: tuple[Identity, ...]
    nodes: tuple[Node, ...]
    # (folder, prefix, address inside the configuration) -> node; built by `expand`
    index: Mapping[tuple[str, str, str], Node] = field(default_factory=dict, compare=False)

    def resolve(self, node: Node, address: str) -> Node | None:
        """The block `address` names from inside `node`'s configuration, if it is declared."""
        return self.index.get((node.folder, node.prefix, address))


def expand(identities: Sequence[Identity], blocks: Sequence[TerraformBlock]) -> Graph:
    """Place every block, and add an instance of a local module's identities per module call."""
    by_address = {(i.path, i.attributes.get("address")): i for i in reversed(identities)}
    folders: dict[str, list[TerraformBlock]] = defaultdict(list)
    for block in blocks:
        folders[posixpath.dirname(block.path)].append(block)
    nodes = [
        Node(
            folder=folder,
            prefix="",
            block=block,
            identity=by_address.get((block.path, block.address)),
            digest=block.digest,
        )
        for folder, members in folders.items()
        for block in members
    ]
    for folder, members in folders.items():
        for call in members:
            nodes.extend(_instances(call, call, folder, "", "", folders, by_address, (folder,)))
    instances = [n.identity for n in nodes if n.prefix and n.identity is not None]
    index: dict[tuple[str, str, str], Node] = {}
    for node in nodes:
        index.setdefault((node.folder, node.prefix, node.block.address.removeprefix(node.prefix)),
                         node)  # fmt: skip
    return Graph(identities=(*identities, *instances), nodes=tuple(nodes), index=index)


def _instances(
    call: TerraformBlock,
    root: TerraformBlock,
    folder: str,
    prefix: str,
    seed: str,
    folders: Mapping[str, list[TerraformBlock]],
    by_address: Mapping[tuple[str, JSON], Identity],
    stack: tuple[str, ...],
) -> Iterator[Node]:
    """The nodes a `module` call instantiates (recursively), declared at the `root` call."""
    source = call.settings.get("source")
    if not call.address.startswith("module.") or not isinstance(source, str):
        return
    if not source.startswith(("./", "../")) or len(stack) > MAX_MODULE_DEPTH:
        return
    target = posixpath.normpath(posixpath.join(folder, source))
    if target.startswith("..") or target in stack or target not in folders:
        return
    inner = f"{prefix}{call.address}."
    seed = hashlib.sha256(f"{seed}/{call.digest}".encode()).hexdigest()[:16]
    for block in folders[target]:
        if block.address.startswith("module."):
            yield from _instances(block, root, target, inner, seed, folders, by_address,
                                  (*stack, target))  # fmt: skip
            continue
        address = inner + block.address
        definition = by_address.get((block.path, block.address))
        placed = dataclasses.replace(block, path=root.path, address=address, line=root.line,
                                     end_line=root.end_line)  # fmt: skip
        yield Node(
            folder=target, prefix=inner, block=placed,
            identity=None if definition is None else _instance(definition, root, address),
            digest=None if block.digest is None else
            hashlib.sha256(f"{seed}/{block.digest}".encode()).hexdigest()[:16],
        )  # fmt: skip


def _instance(definition: Identity, call: TerraformBlock, address: str) -> Identity:
    return dataclasses.replace(
        definition,
        path=call.path,
        line=call.line,
        end_line=call.end_line,
        anchor_line=call.line,
        pointer=address,
        attributes={
            **definition.attributes,
            "address": address,
            "module": address.rpartition(".")[0].rpartition(".")[0],
            "module_source": call.settings.get("source"),
            "defined_at": definition.id,
        },
    )


def credit_module_authors(subjects: Iterable[Attributed]) -> tuple[Attributed, ...]:
    """An instance is attributed to the module call; the module's authors stay contributors."""
    subjects = tuple(subjects)
    by_id = {s.identity.id: s for s in subjects}
    result = []
    for subject in subjects:
        definition = by_id.get(str(subject.identity.attributes.get("defined_at")))
        if definition is not None:
            mine = subject.attribution.contributors
            seen = {p.email for p in mine}
            more = tuple(p for p in definition.attribution.contributors if p.email not in seen)
            attribution = dataclasses.replace(subject.attribution, contributors=(*mine, *more))
            subject = dataclasses.replace(subject, attribution=attribution)
        result.append(subject)
    return tuple(result)


def link(graph: Graph, identities: Sequence[Identity], repository: str) -> tuple[Link, ...]:
    """Every link among one repository's identities, sorted."""
    found = [
        *lineage_terraform.links(graph),
        *_instance_links(graph),
        *_duplicates(graph),
        *consumption(identities, graph, repository),
    ]
    return tuple(sorted(set(found), key=_order))


def reach(graph: Graph, links: Sequence[Link]) -> tuple[Reach, ...]:
    """What each identity with attached policies can do."""
    return lineage_reach.reach(graph, links)


def _order(link: Link) -> tuple[str, str, str]:
    return (link.source, link.relation, link.to)


def _instance_links(graph: Graph) -> Iterator[Link]:
    for node in graph.nodes:
        if node.prefix and node.identity is not None:
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
    created = lineage_terraform.created_secrets(graph, repository)
    roles = lineage_terraform.federation_targets(graph)
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
            key = lineage_terraform.federation_key(identity)
            for target, evidence in roles.get(key or "", ()):
                yield Link(
                    source=identity.id,
                    to=target,
                    relation="assumes",
                    evidence=f"the step federates into {identity.name}; {evidence}",
                )
        elif identity.kind == "mcp_credential":
            ref = identity.attributes.get("ref")
            if identity.attributes.get("value_source") in ("env_ref", "secret_ref") and ref:
                for other in by_name.get(str(ref).upper(), ()):
                    yield Link(source=identity.id, to=other.id, relation="consumes",
                               evidence=f"its value is ${{{ref}}}, which {other.path} "
                               f"declares")  # fmt: skip


def across(reports: Iterable[Report]) -> tuple[Link, ...]:
    """Links between repositories: a workflow secret created by another repository's Terraform.

    `source` is an id in the consuming report (`attributes.from_repository`); `to` is an id in
    the creating report, `attributes.to_repository` (the aggregator sees both reports).
    """
    index = Across()
    for report in reports:
        index.add(report)
    return index.links()


class Across:
    """What `across` needs from each report, gathered one report at a time (the aggregator
    streams thousands of reports and keeps none of them)."""

    def __init__(self) -> None:
        # (creating repository, identity id, secret name, repository it is written to, address)
        self.creators: list[tuple[str, str, str, str, str]] = []
        # repository -> upper-cased secret name -> [(workflow_secret id, its name)]
        self.secrets: dict[str, dict[str, list[tuple[str, str]]]] = {}

    def add(self, report: Report) -> None:
        repo = report.repository.name
        for subject in report.subjects:
            identity = subject.identity
            name, target = (
                identity.attributes.get("secret_name"),
                identity.attributes.get("repository"),
            )
            if isinstance(name, str) and isinstance(target, str):
                address = str(identity.attributes.get("address"))
                self.creators.append((repo, identity.id, name, target, address))
            if identity.kind == "workflow_secret":
                by_name = self.secrets.setdefault(repo, {})
                by_name.setdefault(identity.name.upper(), []).append((identity.id, identity.name))

    def links(self) -> tuple[Link, ...]:
        found: list[Link] = []
        for creator, created, name, target, address in self.creators:
            for consumer, by_name in self.secrets.items():
                if consumer == creator or not lineage_terraform.same_repository(target, consumer):
                    continue
                found.extend(
                    Link(source=source, to=created, relation="consumes",
                         evidence=f"secrets.{secret} is created by {address} in {creator}",
                         attributes={"to_repository": creator, "from_repository": consumer})
                    for source, secret in by_name.get(name.upper(), ())
                )  # fmt: skip
        return tuple(sorted(set(found), key=_order))
