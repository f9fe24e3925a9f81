"""The lineage map's data: people, identities, where credentials are stored and what consumes
them, as JSON-ready nodes and edges for `lineage.html` (and the per-person checklist the page
draws from the same data).

Pure: reports, the links between repositories and (from `nhi aggregate`) the aggregator's
verdicts in; a dict out. With verdicts, people carry their roster state (departed, unknown,
leaving with the days left) and identities who decides now; without them, status is only
"owned" or "orphan" (nobody written down).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from scanner.aggregate.resolve import Resolved, reach_labels
from scanner.lineage.terraform import STORAGE
from scanner.model import JSON, Attributed, Link, Reach, Report
from scanner.reach import services
from scanner.roster import normalise

# Map layers, left to right.
CONSUMER_KINDS = frozenset(["workflow_secret", "workflow_oidc", "workflow_app_token",
                            "workflow_literal_credential", "mcp_server",
                            "mcp_credential"])  # fmt: skip
STORED_KINDS = STORAGE | {"dotenv_credential"}

Canonical = Callable[[str], str]


def reach_text(reach: Reach) -> str:
    parts = ["ADMIN (* on *)"] if reach.admin else []
    parts += [f"{service}:*" for service in reach.services]
    parts += list(reach.actions) + [f"policy {name}" for name in reach.managed]
    if reach.resources:
        parts.append(f"on {', '.join(reach.resources)}")
    if reach.unknown:
        parts.append(f"unknown: {'; '.join(reach.unknown)}")
    return ", ".join(parts) or "nothing written here"


def map_data(
    reports: Sequence[Report],
    across: Sequence[Link],
    resolved: Mapping[tuple[str, str], Resolved] | None = None,
    canonical: Canonical = normalise,
) -> dict[str, JSON]:
    """The map's nodes (people, identities, stores, consumers) and edges.

    With `resolved` (the aggregator's verdicts), an identity's status is the aggregator's
    (orphaned when its people have left, not only when nobody owns it) and each person shows
    the state the rosters give."""
    graph = _Map()
    for report in reports:
        repo = report.repository.name
        reach = {r.identity: r for r in report.reach}
        ids = {s.identity.id for s in report.subjects}
        for subject in report.subjects:
            verdict = resolved.get((repo, subject.identity.id)) if resolved else None
            graph.identity(subject, repo, reach.get(subject.identity.id), verdict, canonical)
        mine = [a for a in across if a.attributes.get("from_repository") == repo]
        for link in [*report.links, *mine]:
            target_repo = str(link.attributes.get("to_repository") or repo)
            if link.to in ids or target_repo != repo:
                to = f"{target_repo}:{link.to}"
            else:
                to = graph.add(f"x:{link.to}", 3, link.to, detail=link.evidence)
            graph.edge(f"{repo}:{link.source}", to, link.relation, link.evidence)
    keys = set(graph.nodes)
    nodes: list[JSON] = [dict(graph.nodes[key]) for key in sorted(keys, key=graph.order)]
    services: list[JSON] = [
        *sorted({s for n in graph.nodes.values() for s in _strings(n, "reach")})
    ]
    envs: list[JSON] = [*sorted({s for n in graph.nodes.values() for s in _strings(n, "env")})]
    return {
        "nodes": nodes,
        "edges": [e for e in graph.edges if e["from"] in keys and e["to"] in keys],
        "repositories": [r.repository.name for r in reports],
        "services": services,
        "environments": envs,
    }


def _strings(node: Mapping[str, JSON], field: str) -> list[str]:
    value = node.get(field)
    return [str(v) for v in value] if isinstance(value, list) else []


def environments(attributes: Mapping[str, JSON]) -> list[JSON]:
    """The deployment environments a declaration names (a workflow job's `environment:`)."""
    value = attributes.get("environment")
    found = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return [str(v) for v in found if v]


def _reach(reach: Reach | None) -> dict[str, JSON]:
    """Reach and environments only when there are any (most identities have neither)."""
    if reach is None:
        return {}
    return {"reach": list(reach_labels(reach)), "reach_text": reach_text(reach)}


class _Map:
    """Nodes by key and edges, as JSON-ready dicts (built once by `map_data`)."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, JSON]] = {}
        self.edges: list[dict[str, JSON]] = []

    def add(self, key: str, layer: int, label: str, **extra: JSON) -> str:
        self.nodes.setdefault(key, {"key": key, "layer": layer, "label": label, "repo": "",
                                    "status": "", "people": [], "detail": "", **extra})  # fmt: skip
        return key

    def edge(self, source: str, to: str, relation: str, evidence: str = "") -> None:
        edge: dict[str, JSON] = {"from": source, "to": to, "relation": relation}
        if evidence:  # most edges have none: leaving it out keeps a big page smaller (#27)
            edge["evidence"] = evidence
        self.edges.append(edge)

    def order(self, key: str) -> tuple[str, str, str]:
        node = self.nodes[key]
        return (str(node["layer"]), str(node["repo"]), str(node["label"]))

    def identity(self, subject: Attributed, repo: str, reach: Reach | None,
                 verdict: Resolved | None = None, canonical: Canonical = normalise
                 ) -> None:  # fmt: skip
        identity, attribution = subject.identity, subject.attribution
        layer = 3 if identity.kind in CONSUMER_KINDS else 2 if identity.kind in STORED_KINDS else 1
        owners = attribution.owners or identity.declared_owners
        people = [(owner, "owns") for owner in owners]
        if attribution.provisioner is not None:
            people.insert(0, (attribution.provisioner.email, "provisioned"))
        if verdict is not None:  # who installed the MCP server a credential is handed to
            people += [(p.reference, "installed") for p in verdict.people if p.role == "installer"]
        key = f"{repo}:{identity.id}"
        detail = f"{identity.id} ({identity.path}:{identity.line})"
        if reach is not None:
            detail += f"; reach: {reach_text(reach)}"
        status = "owned" if owners else "orphan"
        extra: dict[str, JSON] = {}
        if verdict is not None:
            status = "orphan" if verdict.state == "orphaned" else "owned"
            detail += "".join(f"; {p.reference}: {p.state}" for p in verdict.people)
            if verdict.route_to:
                detail += f"; decides: {', '.join(verdict.route_to)} ({verdict.why})"
            extra = {"verdict": verdict.state}
            if verdict.route_to:
                extra |= {"decides": list(verdict.route_to), "why": verdict.why}
        # One node per person, whichever alias (commit email, noreply, @login) named them:
        # the roster's primary email when the aggregator matched them (#23).
        keys = {p.reference.lower(): p.person for p in verdict.people} if verdict else {}
        keys = {w.lower(): keys.get(w.lower()) or canonical(w) for w, _ in people}
        env = environments(identity.attributes)
        if verdict is not None:  # the aggregator's reach and environment (#25) say more
            env = env or [value for facet, value, _ in verdict.facets if facet == "environment"]
            if verdict.reach:  # with the names people ask for (`rds` for `rds-db`)
                extra["reach"] = [*dict.fromkeys(n for label in verdict.reach
                                                 for n in services.spoken(label))]  # fmt: skip
        if env:
            extra["env"] = env
        self.add(key, layer, f"{identity.kind} {identity.name}", repo=repo,
                 status=status, detail=detail,
                 people=[f"p:{who}" for who in sorted(set(keys.values()))],
                 admin=bool(reach and reach.admin), kind=identity.kind,
                 path=identity.path, line=identity.line,
                 **(_reach(reach) | extra))  # fmt: skip
        states = {p.reference.lower(): p for p in verdict.people} if verdict else {}
        for who, relation in people:
            known = states.get(who.lower())
            state = known.state if known else ""
            person = keys.get(who.lower(), who)
            label = f"{person} ({state})" if state and state != "active" else person
            when: dict[str, JSON] = {}
            if known and known.left_on:
                when = {"left_on": known.left_on, "days_left": known.days_left}
            self.edge(self.add(f"p:{person}", 0, label, state=state, **when), key, relation)
        for consumer in identity.consumers:
            user = self.add(f"{repo}:c:{consumer.ref}", 3, consumer.ref, repo=repo,
                            detail=consumer.kind)  # fmt: skip
            self.edge(key, user, "used by")
