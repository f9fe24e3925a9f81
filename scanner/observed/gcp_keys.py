"""GCP service account keys, as `gcloud iam service-accounts keys list --iam-account=EMAIL
--format=json` prints them: `name` (projects/P/serviceAccounts/EMAIL/keys/KEY_ID), `keyType`,
`keyOrigin`, `validAfterTime`, `validBeforeTime`, `disabled`
(https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys).

Only `USER_MANAGED` keys are credentials someone holds; Google's own (`SYSTEM_MANAGED`) are
left out, but they name the account whose keys the file lists (one list per account). A key's
last use comes from the Policy Analyzer export (`gcp_activity`), joined by key id; without it
the last use is unknown, never "unused".
"""

from __future__ import annotations

from scanner.errors import ObservedError
from scanner.observed.model import Observed, day, listed, load_json, records, text

FAR = "9999"  # validBeforeTime of a key that never expires


def detect(content: str) -> bool:
    head = content.lstrip()[:4096]
    return head.startswith("[") and '"keyType"' in head


def parse(path: str, content: str) -> tuple[Observed, ...]:
    found, accounts = [], set()
    for number, key in enumerate(records(load_json(content, path), path, "keys"), 1):
        where = f"{path}: key {number}"
        parts = text(key, "name", where).split("/")
        if len(parts) != 6 or parts[0] != "projects" or parts[4] != "keys":
            raise ObservedError(f"{where}: name is not projects/P/serviceAccounts/EMAIL/keys/ID")
        project, email, key_id = parts[1], parts[3], parts[5]
        accounts.add((project, email.split("@", 1)[0]))  # its keys are all listed here
        if key.get("keyType", "USER_MANAGED") != "USER_MANAGED":
            continue
        created = day(key.get("validAfterTime"), f"{where}: validAfterTime")
        until = key.get("validBeforeTime")
        found.append(Observed(
            provider="gcp", kind="gcp_service_account_key", scope=project, name=key_id,
            key=key_id, parent=email.split("@", 1)[0], live=not key.get("disabled", False),
            created=created, rotated=created,
            expires=None if str(until).startswith(FAR) else day(until, f"{where}: validBeforeTime"),
            details=(("origin", str(key.get("keyOrigin", ""))),), source=path,
        ))  # fmt: skip
    return (*found, *(listed("gcp", "gcp_service_account_key", path, parent=account, scope=p)
                      for p, account in sorted(accounts)))  # fmt: skip
