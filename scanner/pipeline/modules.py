"""Module-instance expansion, the last step of detection: each local `module` call becomes
instances of the module folder's identities (`module.eu.aws_iam_role.this`), declared where
the call is written, so blame names whoever wrote the call. Pure: blocks in, a `Graph` out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import posixpath
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from scanner.lineage.graph import Graph, Node
from scanner.model import JSON, Identity, TerraformBlock
from scanner.scanners import terraform

MAX_MODULE_DEPTH = 8


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
            **{k: v for k, v in definition.attributes.items() if k != "sample"},
            **terraform.sample(call.path),  # the call's folder decides (a fixture's call)
            "address": address,
            "module": address.rpartition(".")[0].rpartition(".")[0],
            "module_source": call.settings.get("source"),
            "defined_at": definition.id,
        },
    )
