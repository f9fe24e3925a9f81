"""The lineage graph: every Terraform block placed in its configuration, module instances
included. Built by detection (`scanner.pipeline.modules.expand`), read by the link and reach
stages; it depends on nothing but the model, so nothing circular can depend on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scanner.model import Identity, TerraformBlock


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """A Terraform block in its configuration: the folder, and the module prefix of an instance."""

    folder: str
    prefix: str  # "" at a folder's own level, "module.eu." inside an instance
    block: TerraformBlock  # an instance's block has its full address and the call's lines
    identity: Identity | None
    digest: str | None
    # An instance its call does not change (#19): `identity` is the one it was folded into
    # (the definition), so links from inside it point there; it is never reported itself.
    folded: bool = False


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
