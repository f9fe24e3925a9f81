"""Identities a resource creates for itself: Azure's system-assigned managed identities.

An `identity { type = "SystemAssigned" }` block (or `"SystemAssigned, UserAssigned"`) on an
azurerm resource, or on an `azapi_resource`, makes Entra ID create a service principal that
lives as long as the resource: an identity no `azuread_*` or `azurerm_user_assigned_identity`
block declares, granted roles through `<address>.identity[0].principal_id`
(learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview). A
`UserAssigned` type only attaches identities declared elsewhere, and a type written as an
expression (`var.identity_type`) says nothing until it is known: neither is reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scanner.model import JSON

_SYSTEM = "SystemAssigned"
_IDENTITY_BLOCK = re.compile(r'^[ \t]*(?:identity|dynamic[ \t]+"identity")[ \t]*\{', re.MULTILINE)


def worth_reading(text: str) -> bool:
    """Whether a file may declare one at all (cheap: most files do not)."""
    return _SYSTEM in text


def candidate(kind: str) -> bool:
    """Whether a resource of this type may create one."""
    return kind.startswith("azurerm_") or kind == "azapi_resource"


def system_assigned(body: Mapping[str, JSON]) -> str | None:
    """The identity type written when it creates a system-assigned identity, else None; the
    `content` of a `dynamic "identity"` block counts (it exists when its `for_each` is not
    empty)."""
    blocks = _blocks(body.get("identity"))
    for dynamic in _blocks(body.get("dynamic")):
        for item in _blocks(dynamic.get("identity")):
            blocks.extend(_blocks(item.get("content")))
    for block in blocks:
        written = block.get("type")
        if isinstance(written, str) and "${" not in written and _SYSTEM in written:
            return written
    return None


def line(lines: list[str], start: int, end: int) -> int:
    """The line of the first `identity` block between two lines of the file, else `start`."""
    for offset, written in enumerate(lines[start - 1 : end]):
        if _IDENTITY_BLOCK.match(written):
            return start + offset
    return start


def _blocks(value: JSON) -> list[dict[str, JSON]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]
