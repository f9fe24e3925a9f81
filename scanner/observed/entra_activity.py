"""Entra ID credential sign-ins, as Microsoft Graph reports them (`GET /beta/reports/
appCredentialSignInActivities`): per credential `keyId`, `keyType`, `appId`,
`expirationDateTime` and `signInActivity.lastSignInDateTime`
(https://learn.microsoft.com/en-us/graph/api/resources/appcredentialsigninactivity).

Each entry is folded into the credential with that key id (`activity.fold`).
"""

from __future__ import annotations

from scanner.observed.model import Observed, day, load_json, records, text


def detect(content: str) -> bool:
    head = content.lstrip()[:8192]
    return '"keyId"' in head and '"signInActivity"' in head and '"credentialOrigin"' in head


def parse(path: str, content: str) -> tuple[Observed, ...]:
    found = []
    for number, item in enumerate(records(load_json(content, path), path, "activities",
                                          "value"), 1):  # fmt: skip
        where = f"{path}: activity {number}"
        key_id = text(item, "keyId", where)
        signed = item.get("signInActivity")
        last = signed.get("lastSignInDateTime") if isinstance(signed, dict) else None
        found.append(Observed(
            provider="entra", kind="entra_activity", scope="", name=key_id, key=key_id,
            last_used=day(last, f"{where}: lastSignInDateTime"), tracks_use=True, source=path,
        ))  # fmt: skip
    return tuple(found)
