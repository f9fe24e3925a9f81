"""Entra ID applications and service principals as Microsoft Graph lists them
(`GET /v1.0/applications?$expand=owners`, `GET /v1.0/servicePrincipals`), saved as the
response (`{"@odata.context": ..., "value": [...]}`) or its `value` list: each object's
`displayName`, `appId`, `createdDateTime`, `owners`, and its `passwordCredentials` and
`keyCredentials` (`keyId`, `displayName`, `startDateTime`, `endDateTime`), as documented in
https://learn.microsoft.com/en-us/graph/api/resources/application and
https://learn.microsoft.com/en-us/graph/api/resources/passwordcredential.

`hint` (the first characters of a client secret), `secretText` and a certificate's `key` are
never read. A service principal is listed only when it holds credentials of its own (the
tenant's first-party principals would drown the rest).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.observed.model import Observed, day, listed, load_json, records, text


def detect(content: str) -> bool:
    head = content.lstrip()[:8192]
    return ('"passwordCredentials"' in head or '"keyCredentials"' in head) and ('"appId"' in head)


def parse(path: str, content: str) -> tuple[Observed, ...]:
    found: list[Observed] = []
    for number, item in enumerate(records(load_json(content, path), path, "objects", "value"), 1):
        where = f"{path}: object {number}"
        name = text(item, "displayName", where)
        principal = "servicePrincipalType" in item or "appOwnerOrganizationId" in item
        credentials = list(_credentials(item, name, f"{where} ({name})", path))
        if principal and not credentials:
            continue
        found.append(Observed(
            provider="entra", kind="entra_service_principal" if principal else
            "entra_application", scope="", name=name,
            key=str(item.get("id") or item.get("appId") or name),
            live=item.get("accountEnabled", True) is not False,
            created=day(item.get("createdDateTime"), f"{where}: createdDateTime"),
            owner=_owner(item.get("owners")), source=path,
            details=(("appId", str(item.get("appId", ""))),),
        ))  # fmt: skip
        found.extend(credentials)
        if not principal:  # an application's credentials are all listed with it
            found += [listed("entra", kind, path, parent=name)
                      for kind in ("entra_password", "entra_certificate")]  # fmt: skip
    if any(o.kind == "entra_application" for o in found):
        found.append(listed("entra", "entra_application", path))
    return tuple(found)


def _credentials(item: dict[str, Any], name: str, where: str, path: str) -> Iterator[Observed]:
    for field, kind in (("passwordCredentials", "entra_password"),
                        ("keyCredentials", "entra_certificate")):  # fmt: skip
        for credential in records(item.get(field, []), f"{where}: {field}", "credentials"):
            key_id = text(credential, "keyId", f"{where}: {field}")
            start = day(credential.get("startDateTime"), f"{where}: {key_id}: startDateTime")
            yield Observed(
                provider="entra", kind=kind, scope="", name=key_id, key=key_id, parent=name,
                created=start, rotated=start, source=path,
                expires=day(credential.get("endDateTime"), f"{where}: {key_id}: endDateTime"),
                details=(("displayName", str(credential.get("displayName") or "")),),
            )  # fmt: skip


def _owner(owners: Any) -> str | None:
    """The first owner with a sign-in name or mail (the roster knows people by them)."""
    for owner in owners if isinstance(owners, list) else []:
        if isinstance(owner, dict):
            for field in ("userPrincipalName", "mail"):
                if isinstance(owner.get(field), str) and "@" in owner[field]:
                    return str(owner[field])
    return None
