"""Module-instance expansion, the last step of detection. Pure: blocks in, a `Graph` out.

Each local `module` call instantiates the module folder's blocks (`module.eu.aws_iam_role.this`,
placed at the call), so lineage resolves references inside every instance. An instance is
reported as an identity of its own only where its call changes it (#19: no double counting):
an argument with a value of its own that reaches the identity's name, scope or `for_each`
(written `var.x` there, or in another block of the module it names), a `for_each` of its own
on the call, or an aliased provider. Any other instance is folded into what it repeats (the
definition, or the inner instance a nested call made): that identity lists the call in its
`instances` attribute, and lineage links of the folded instance point at it. A call under a
test, example or docs folder never changes a declaration outside one (it only shows how the
module is called); a call outside one always changes a sample's (it is a real use).
"""

from __future__ import annotations

import dataclasses
import hashlib
import posixpath
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from scanner.lineage.graph import Graph, Node
from scanner.model import JSON, Identity, TerraformBlock
from scanner.scanners import terraform

MAX_MODULE_DEPTH = 8
# Attributes that say which principal, credential or grant a block is: an input reaching one
# of them makes an instance another identity. `count` only switches a block on or off.
IDENTITY_KEYS = frozenset([
    "for_each", "name", "name_prefix", "account_id", "project", "user", "username", "group",
    "role", "member", "members", "principal_id", "principal_arn", "service_account_id",
    "secret_name", "secret_id", "repository", "environment", "email", "display_name",
    "policy_arn", "role_definition_name", "scope", "application_id", "client_id", "metadata",
])  # fmt: skip

# An identity's key while expanding: the calls that made it (outermost first; none for a
# definition) and the declaring block's path and address.
_Key = tuple[tuple[tuple[str, str], ...], str, str]


class _Placed(NamedTuple):
    """A module block reached through a chain of calls (outermost first)."""

    calls: tuple[TerraformBlock, ...]
    folder: str  # the module folder that declares `block`
    block: TerraformBlock


class _Level(NamedTuple):
    reported: bool  # the instance made by this call and the ones inside it is reported
    changed_by: tuple[str, ...]  # the call's arguments that change it


def expand(identities: Sequence[Identity], blocks: Sequence[TerraformBlock]) -> Graph:
    """Place every block; report or fold each instance of a local module's identities."""
    by_address = {(i.path, i.attributes.get("address")): i for i in reversed(identities)}
    folders: dict[str, list[TerraformBlock]] = defaultdict(list)
    for block in blocks:
        folders[posixpath.dirname(block.path)].append(block)
    placed = [
        found
        for folder, members in folders.items()
        for call in members
        for found in _walk(call, folder, folders, (folder,))
    ]
    built, folded, plans = _plan(placed, by_address, _Dependencies(folders))
    final = {key: _with_instances(identity, folded.get(key)) for key, identity in built.items()}
    defined = [_with_instances(i, folded.get(((), i.path, str(i.attributes.get("address")))))
               for i in identities]  # fmt: skip
    for identity in defined:  # the first of two identical declarations, as `by_address`
        final.setdefault(((), identity.path, str(identity.attributes.get("address"))), identity)
    nodes = [
        Node(folder=folder, prefix="", block=block,
             identity=final.get(((), block.path, block.address)), digest=block.digest)
        for folder, members in folders.items()
        for block in members
    ]  # fmt: skip
    nodes.extend(_node(item, final, target) for item, target in plans)
    index: dict[tuple[str, str, str], Node] = {}
    for node in nodes:
        index.setdefault((node.folder, node.prefix, node.block.address.removeprefix(node.prefix)),
                         node)  # fmt: skip
    return Graph(identities=(*defined, *(final[key] for key in built)), nodes=tuple(nodes),
                 index=index)  # fmt: skip


def _plan(
    placed: Sequence[_Placed],
    by_address: Mapping[tuple[str, JSON], Identity],
    dependencies: _Dependencies,
) -> tuple[dict[_Key, Identity], dict[_Key, list[tuple[str, int, str]]],
           list[tuple[_Placed, _Key | None]]]:  # fmt: skip
    """The reported instances, the calls folded into each identity, and for each placed block
    the identity it was folded into (None: reported, or no identity)."""
    built: dict[_Key, Identity] = {}
    folded: dict[_Key, list[tuple[str, int, str]]] = defaultdict(list)
    plans: list[tuple[_Placed, _Key | None]] = []
    for item in placed:
        definition = by_address.get((item.block.path, item.block.address))
        if definition is None:
            plans.append((item, None))
            continue
        levels = _levels(item.calls, dependencies.of(item.folder, item.block), definition)
        if levels[0].reported:
            built[_key(item.calls, item.block)] = _instance(definition, item, levels[0])
            plans.append((item, None))
            continue
        inner = next((k for k in range(1, len(levels)) if levels[k].reported), len(levels))
        target = _key(item.calls[inner:], item.block)  # the innermost reported, or definition
        call = item.calls[0]
        folded[target].append((call.path, call.line, _prefix(item.calls).removesuffix(".")))
        plans.append((item, target))
    return built, folded, plans


def _walk(
    call: TerraformBlock,
    folder: str,
    folders: Mapping[str, list[TerraformBlock]],
    stack: tuple[str, ...],
) -> Iterator[_Placed]:
    """The blocks a `module` call instantiates, recursively through nested local calls."""
    source = call.settings.get("source")
    if not call.address.startswith("module.") or not isinstance(source, str):
        return
    if not source.startswith(("./", "../")) or len(stack) > MAX_MODULE_DEPTH:
        return
    target = posixpath.normpath(posixpath.join(folder, source))
    if target.startswith("..") or target in stack or target not in folders:
        return
    for block in folders[target]:
        if block.address.startswith("module."):
            for inner in _walk(block, target, folders, (*stack, target)):
                yield inner._replace(calls=(call, *inner.calls))
        else:
            yield _Placed(calls=(call,), folder=target, block=block)


class _Dependencies:
    """The input variables a block's identity reads: in its own identity attributes, and in
    those of the module's blocks it names there (an access key's `user`). `local.*` values
    are not followed: an input reaching an identity only through a local does not count."""

    def __init__(self, folders: Mapping[str, list[TerraformBlock]]) -> None:
        self._by_address = {
            (folder, block.address): block for folder, members in folders.items()
            for block in members
        }  # fmt: skip
        self._known: dict[tuple[str, str], frozenset[str]] = {}

    def of(self, folder: str, block: TerraformBlock, seen: frozenset[str] = frozenset()) -> \
            frozenset[str]:  # fmt: skip
        known = self._known.get((folder, block.address))
        if known is not None:
            return known
        names: set[str] = set()
        for key in IDENTITY_KEYS:
            names.update(_names(block.inputs.get(key)))
            for address in _names(block.references.get(key)):
                other = self._by_address.get((folder, address))
                if other is not None and address not in seen:
                    names |= self.of(folder, other, seen | {block.address})
        result = self._known[(folder, block.address)] = frozenset(names)
        return result


def _levels(
    calls: tuple[TerraformBlock, ...], relevant: frozenset[str], definition: Identity
) -> list[_Level]:
    """For each call of a chain (outermost first), whether the instance it makes is reported:
    walked from the innermost call out, following arguments that pass inputs on."""
    levels: list[_Level] = []
    sample = bool(definition.attributes.get("sample"))
    for call in reversed(calls):
        passed = relevant.intersection(call.inputs)
        changed = [key for key in call.values if key in passed]
        if passed and "for_each" in call.values:  # copies that differ where it matters
            changed.append("for_each")
        if "providers" in call.values:
            changed.append("providers")
        here = bool(terraform.sample(call.path))
        reported = (bool(changed) and (sample or not here)) or (sample and not here)
        levels.append(_Level(reported=reported, changed_by=tuple(changed)))
        sample = here if reported else sample
        reaching = passed | {"for_each"} if passed else passed
        relevant = frozenset(name for key in reaching for name in _names(call.inputs.get(key)))
    return levels[::-1]


def _names(value: JSON) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _key(calls: tuple[TerraformBlock, ...], block: TerraformBlock) -> _Key:
    return tuple((call.path, call.address) for call in calls), block.path, block.address


def _prefix(calls: tuple[TerraformBlock, ...]) -> str:
    return "".join(f"{call.address}." for call in calls)


def _digest(item: _Placed) -> str | None:
    if item.block.digest is None:
        return None
    seed = ""
    for call in item.calls:
        seed = hashlib.sha256(f"{seed}/{call.digest}".encode()).hexdigest()[:16]
    return hashlib.sha256(f"{seed}/{item.block.digest}".encode()).hexdigest()[:16]


def _placed_block(item: _Placed) -> TerraformBlock:
    call = item.calls[0]
    return dataclasses.replace(item.block, path=call.path, line=call.line,
                               end_line=call.end_line,
                               address=_prefix(item.calls) + item.block.address)  # fmt: skip


def _node(item: _Placed, identities: Mapping[_Key, Identity], target: _Key | None) -> Node:
    """An instance's node; a folded one stands for the identity it was folded into."""
    block, prefix = _placed_block(item), _prefix(item.calls)
    if target is not None:
        identity = identities.get(target) or identities.get(((), *target[1:]))
        return Node(folder=item.folder, prefix=prefix, block=block, identity=identity,
                    digest=None, folded=True)  # fmt: skip
    identity = identities.get(_key(item.calls, item.block))
    return Node(folder=item.folder, prefix=prefix, block=block, identity=identity,
                digest=_digest(item))  # fmt: skip


def _with_instances(identity: Identity, calls: list[tuple[str, int, str]] | None) -> Identity:
    """The identity with the module calls folded into it, as `<path>:<line> <module>`."""
    if not calls:
        return identity
    listed: list[JSON] = [f"{path}:{line} {module}" for path, line, module in sorted(set(calls))]
    return dataclasses.replace(identity, attributes={**identity.attributes, "instances": listed})


def _instance(definition: Identity, item: _Placed, level: _Level) -> Identity:
    call = item.calls[0]
    address = _prefix(item.calls) + item.block.address
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
            # a real use of a sample is reported whatever it passes
            **({"changed_by": list[JSON](level.changed_by)} if level.changed_by else {}),
        },
    )
