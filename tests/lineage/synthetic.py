"""A synthetic organisation's map data, in the shape `lineage.mapdata.map_data` gives (the
browser tests check that the fields match), for maps of 10 to 50,000 identities without
scanning that many repositories. Deterministic: identity `i` is in repository `i % repos`, its
provisioner is person `i % people`; every fifth identity has no owner (an orphan), every
third is stored in a GitHub Actions secret that a workflow consumes.
"""

from __future__ import annotations

from scanner.model import JSON

STATES = ("active", "active", "active", "departed", "leaving", "unknown", "active", "active")
SERVICES = ("s3", "iam", "ec2", "sts")


def person(i: int) -> str:
    return f"person{i:05d}@acme.example"


def repository(i: int) -> str:
    return f"acme/repo-{i:04d}"


def identity_key(i: int, repos: int) -> str:
    return f"{repository(i % repos)}:iam/keys.tf#aws_iam_access_key.key_{i:05d}"


def organisation(identities: int, names: dict[int, str] | None = None) -> dict[str, JSON]:
    """`names` replaces identity i's resource name (the hostile-name tests)."""
    repos = max(1, identities // 25)
    count = max(2, identities // 20)
    nodes: list[JSON] = []
    edges: list[JSON] = []
    for p in range(count):
        state = STATES[p % len(STATES)]
        label = person(p) if state == "active" else f"{person(p)} ({state})"
        extra: dict[str, JSON] = {}
        if state in ("leaving", "departed"):
            extra = {"left_on": "2026-11-20" if state == "leaving" else "2026-10-09",
                     "days_left": 19 if state == "leaving" else None}  # fmt: skip
        nodes.append({"key": f"p:{person(p)}", "layer": 0, "label": label, "repo": "",
                      "status": "", "people": [], "detail": "", "state": state,
                      **extra})  # fmt: skip
    for i in range(identities):
        repo, key = repository(i % repos), identity_key(i, repos)
        name = (names or {}).get(i, f"key_{i:05d}")
        owner = f"p:{person(i % count)}"
        orphan = i % 5 == 0
        reach: list[JSON] = ["admin"] if i % 17 == 0 else [SERVICES[i % len(SERVICES)]]
        nodes.append({
            "key": key, "layer": 1, "label": f"aws_iam_access_key {name}", "repo": repo,
            "status": "orphan" if orphan else "owned", "people": [owner],
            "detail": f"iam/keys.tf#aws_iam_access_key.{name} (iam/keys.tf:{i + 1})",
            "admin": reach == ["admin"], "kind": "aws_iam_access_key", "path": "iam/keys.tf",
            "line": i + 1, "reach": reach,
            "reach_text": "ADMIN (* on *)" if reach == ["admin"] else f"{reach[0]}:*",
            "env": ["production" if i % 2 else "staging"],
            "verdict": "orphaned" if orphan else "owned",
            **({"decides": ["security@acme.example"], "why": "default owner"} if orphan else {}),
        })  # fmt: skip
        edges.append({"from": owner, "to": key, "relation": "provisioned"})
        if i % 3 == 0:
            store = f"{repo}:.github/secrets.tf#github_actions_secret.s_{i:05d}"
            use = f"{repo}:c:.github/workflows/deploy.yml#deploy_{i:05d}"
            nodes.append({"key": store, "layer": 2, "label": f"github_actions_secret s_{i:05d}",
                          "repo": repo, "status": "owned", "people": [], "detail": ""})  # fmt: skip
            nodes.append({"key": use, "layer": 3, "label": f".github/workflows/deploy.yml#"
                          f"deploy_{i:05d}", "repo": repo, "status": "", "people": [],
                          "detail": "workflow"})  # fmt: skip
            edges.append({"from": key, "to": store, "relation": "stored_as"})
            edges.append({"from": store, "to": use, "relation": "used by"})
    return {
        "nodes": nodes,
        "edges": edges,
        "repositories": [repository(r) for r in range(repos)],
        "services": ["admin", *sorted(SERVICES)],
        "environments": ["production", "staging"],
    }
