"""Reach as the inventory asks it: labels (`admin`, services) and facets (actions, resources,
environment) of one identity, from its scan-time `Reach`, its managed policies and roles
(package data in `managed`), and for an MCP credential the provider it is for.

Called by the aggregator (`aggregate.resolve`), never on the scan path; the data files are
read on first use. The vocabulary and its aliases are in `services`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from scanner.model import Attributed, Identity, Reach
from scanner.reach import managed
from scanner.reach.environment import environment
from scanner.reach.services import WHOLE
from scanner.reach.shape import region, shape

__all__ = ["Facet", "actions", "facets", "labels"]

# (facet, value, evidence): what the inventory indexes besides its columns, one row each.
Facet = tuple[str, str, str]

# A credential whose provider is the service it reaches (its value is for that API).
_CREDENTIALS = frozenset(["mcp_credential"])
_EXCEPT = "everything except "  # how scan-time reach writes a NotAction


def labels(reach: Reach | None, identity: Identity | None) -> tuple[str, ...]:
    """What `--reach` matches: `admin`, `all`, then each service, sorted (`-iam`: a service
    that `all` leaves out)."""
    found = set(_words(reach, identity))
    if "admin" in found:  # everything on everything: nothing is left out
        found -= {"all", *(w for w in found if w.startswith("-"))}
    elif "all" not in found:
        found = {w for w in found if not w.startswith("-")}
    services = sorted(w.partition(":")[0] for w in found if w not in WHOLE)
    return (*(w for w in ("admin", "all") if w in found), *dict.fromkeys(services))


def actions(reach: Reach | None) -> tuple[str, ...]:
    """What `--reach SERVICE:ACTION` matches, lower-cased: whole services as `s3:*`, named
    actions and patterns as written (`s3:getobject`, `rds:describe*`)."""
    if reach is None:
        return ()
    found = {f"{s.lower()}:*" for s in reach.services}
    found.update(a.lower() for a in reach.actions if ":" in a and not a.startswith(_EXCEPT))
    for name in reach.managed:
        found.update(w for w in managed.lookup(name) or () if w.endswith(":*"))
    return tuple(sorted(found))


def _words(reach: Reach | None, identity: Identity | None) -> Iterator[str]:
    credential = identity is not None and identity.kind in _CREDENTIALS
    provider = identity.attributes.get("provider") if identity is not None and credential else None
    if isinstance(provider, str):
        yield provider.lower()
    if reach is None:
        return
    if reach.admin:
        yield "admin"
    yield from (s.lower() for s in reach.services)
    for action in reach.actions:
        service = action.partition(":")[0].lower()
        if service.startswith(_EXCEPT):  # a NotAction statement: every other service
            yield from ("all", f"-{service[len(_EXCEPT) :]}")
        elif ":" in action:
            yield service
    for name in reach.managed:
        yield from managed.lookup(name) or ()


def facets(subject: Attributed, reach: Reach | None, repository: str,
           environments: Mapping[str, str]) -> tuple[Facet, ...]:  # fmt: skip
    """The facets of one identity: `action`s, the `resource`s its policies name (as written),
    its `environment` (with the evidence), the day its declaration last `changed`, and for a
    principal with reach its `shape` and `region` (duplicate detection)."""
    found: list[Facet] = [("action", a, "") for a in actions(reach)]
    found += [("resource", r, "") for r in (reach.resources if reach else ())]
    if (env := environment(subject.identity, reach, repository, environments)) is not None:
        found.append(("environment", *env))
    identity = subject.identity
    if (fingerprint := shape(identity, reach)) is not None:  # what copies share
        found.append(("shape", fingerprint, ""))
        config = str(identity.attributes.get("provider_config") or "")
        texts = (identity.name, config, identity.pointer, *(reach.resources if reach else ()))
        if where := region(*texts):
            found.append(("region", where, ""))
    attribution = subject.attribution
    dates = [a.date[:10] for a in (attribution.provisioner, attribution.last_modified_by) if a]
    if dates:
        found.append(("changed", max(dates), ""))
    return tuple(found)
