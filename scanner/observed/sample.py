"""The demo organisation's exports (`nhi demo`, and the end-to-end test): one declared key
never used, one declared key deleted in the console, one IAM user made by hand, one GitHub
secret that no workflow reads. Shaped as the vendors document them (see each parser)."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.observed.aws_credential_report import COLUMNS

_ROWS = (
    # ci-deployer-v2's key (payments-infra) was created with the user and never used since.
    "ci-deployer-v2,arn:aws:iam::111122223333:user/ci-deployer-v2,2026-01-15T09:00:00+00:00,"
    "false,N/A,N/A,N/A,false,true,2026-01-15T09:05:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
    "false,N/A,false,N/A",
    # hand-made-admin is in no repository: someone made it in the console.
    "hand-made-admin,arn:aws:iam::111122223333:user/hand-made-admin,2026-03-03T09:00:00+00:00,"
    "true,2026-10-30T09:00:00+00:00,2026-03-03T09:00:00+00:00,N/A,false,true,"
    "2026-03-03T09:05:00+00:00,2026-10-31T08:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,"
    "false,N/A,false,N/A",
)
CREDENTIAL_REPORT = "\n".join([",".join(COLUMNS), *_ROWS]) + "\n"
# The ETL account (data-pipeline) is live; its user-managed key was deleted in the console.
_EMAIL = "etl@data-prod.iam.gserviceaccount.com"
ACCOUNTS = [{"email": _EMAIL, "projectId": "data-prod", "uniqueId": "1", "oauth2ClientId": "1",
             "name": f"projects/data-prod/serviceAccounts/{_EMAIL}"}]  # fmt: skip
KEYS = [{"keyType": "SYSTEM_MANAGED", "validAfterTime": "2026-10-01T00:00:00Z",
         "name": f"projects/data-prod/serviceAccounts/{_EMAIL}/keys/0a1b"}]  # fmt: skip
_STORED = {"created_at": "2025-10-06T10:00:00Z", "updated_at": "2025-10-06T10:00:00Z"}
GITHUB = {"nhi_github_export": 1, "organization": "acme", "exported_at": "2026-11-01T06:00:00Z",
          "repositories": {"acme/data-pipeline": {"secrets": {"total_count": 2, "secrets": [
              {"name": "ETL_SA_KEY", **_STORED},
              # stored for an FTP job long gone: no workflow reads it
              {"name": "LEGACY_FTP_PASSWORD", "created_at": "2024-02-01T10:00:00Z",
               "updated_at": "2024-02-01T10:00:00Z"}]}}}}  # fmt: skip
EXPORTS = {"credential-report.csv": CREDENTIAL_REPORT, "service-accounts.json": ACCOUNTS,
           "keys.json": KEYS, "github.json": GITHUB}  # fmt: skip


def write(folder: Path) -> tuple[Path, ...]:
    """The exports, written into `folder`; their paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in EXPORTS.items():
        text = content if isinstance(content, str) else json.dumps(content, indent=1) + "\n"
        (folder / name).write_text(text, encoding="utf-8")
    return tuple(folder / name for name in EXPORTS)
