"""GCP service accounts, as `gcloud iam service-accounts list --project=P --format=json` prints
them: `name`, `email`, `projectId`, `uniqueId`, `displayName`, `description`, `disabled`
(https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts#ServiceAccount).

The provider's name is the account id, the part of `email` before `@`; its scope the project.
"""

from __future__ import annotations

from scanner.observed.model import Observed, listed, load_json, records, text


def detect(content: str) -> bool:
    head = content.lstrip()[:4096]
    return head.startswith("[") and '"email"' in head and '"projectId"' in head \
        and '"keyType"' not in head  # fmt: skip


def parse(path: str, content: str) -> tuple[Observed, ...]:
    found = []
    for number, account in enumerate(records(load_json(content, path), path, "accounts"), 1):
        where = f"{path}: account {number}"
        email = text(account, "email", where)
        project = text(account, "projectId", where)
        found.append(Observed(
            provider="gcp", kind="gcp_service_account", scope=project,
            name=email.split("@", 1)[0], key=email, live=not account.get("disabled", False),
            details=tuple((field, str(account[field])) for field in ("displayName", "uniqueId")
                          if isinstance(account.get(field), str)),
            source=path,
        ))  # fmt: skip
    projects = sorted({o.scope for o in found})
    return (*found, *(listed("gcp", "gcp_service_account", path, scope=p) for p in projects))
