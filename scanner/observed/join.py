"""The join: what the repositories declare (`declared.Declared`) against what the exports say is
live (`model.Observed`). Pure. Every pair says how it was made (which literal name, found how,
in which export and scope).

States: `live` (declared and in an export), `not_live` (declared, but an export of its
provider does not list it: deleted in the console, or never applied), `undeclared` (live, and
no repository declares it; a credential is listed on its own only when its principal is
declared, else it is part of its undeclared principal), `unreferenced` (a stored GitHub secret
that no workflow of a scanned repository reads) and `unsatisfied` (a workflow reads a secret
that the export shows is stored nowhere it could come from: judged only when the export lists
both the repository's and the organisation's secrets).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scanner.observed.declared import Declared
from scanner.observed.model import LISTED, Observed

# Observed kinds that are principals; any other kind with a `parent` is one of its credentials.
PRINCIPALS = frozenset(["aws_iam_user", "gcp_service_account", "entra_application",
                        "entra_service_principal", "github_app_installation"])  # fmt: skip
NOBODY = "no repository declares it"
# A repository (or "org:NAME", an organisation) whose secrets an export lists, even none.
COVERAGE = "github_repository"


@dataclass(frozen=True, slots=True, kw_only=True)
class Joined:
    """A declared identity with what an export says of it, or a live thing nobody declares."""

    state: str  # live, not_live, undeclared, unreferenced, unsatisfied
    declared: Declared | None
    observed: Observed | None
    why: str = ""  # what is missing, for any state but live

    @property
    def how(self) -> str:
        """How the match was made, or why there is none (made when shown, not kept)."""
        d, o = self.declared, self.observed
        if self.state == "live" and d is not None and o is not None:
            return f"{d.how} = {_label(o)}" + (f" (of {o.parent})" if o.parent else "")
        return f"{d.how if d else _label(o) if o else ''}: {self.why}"


def join(declared: Iterable[Declared], observed: Sequence[Observed],
         reported: frozenset[str]) -> list[Joined]:  # fmt: skip
    """Every declaration an export can speak about, and every live thing none declares;
    `reported` are the repositories whose reports were read (their workflows are known)."""
    mine = [d for d in declared if d.provider != "github"]
    github = [d for d in declared if d.provider == "github"]
    clouds = [o for o in observed if o.provider != "github"]
    stored = [o for o in observed if o.provider == "github"]
    return [*_clouds(mine, clouds), *_github(github, stored, reported)]


def _label(o: Observed) -> str:
    where = f" {o.scope}" if o.scope else ""
    return f"{o.kind} {o.name} in {o.source}{where}"


def _clouds(declared: list[Declared], everything: list[Observed]) -> list[Joined]:
    listed: dict[tuple[str, str, str], set[str]] = defaultdict(set)  # what an export lists whole
    for o in everything:
        if o.kind == LISTED:
            listed[o.provider, o.name, o.parent.casefold()].add(o.source)
    observed = [o for o in everything if o.kind != LISTED]
    principals: dict[tuple[str, str], list[Observed]] = defaultdict(list)
    credentials: dict[tuple[str, str], list[Observed]] = defaultdict(list)
    for o in observed:
        if o.live and not o.parent:
            principals[o.kind, o.name.casefold()].append(o)
        elif o.live:
            credentials[o.kind, o.parent.casefold()].append(o)
    found: list[Joined] = []
    claimed: set[tuple[str, str]] = set()  # (provider, Observed.key)
    keys: dict[tuple[str, str], list[Declared]] = defaultdict(list)
    for d in declared:
        if d.observed_kind not in PRINCIPALS:
            keys[d.observed_kind, d.name.casefold()].append(d)
            continue
        matches = [o for o in principals.get((d.observed_kind, d.name.casefold()), ())
                   if not d.scope or d.scope == o.scope]  # fmt: skip
        claimed.update((o.provider, o.key) for o in matches)
        found += [Joined(state="live", declared=d, observed=o) for o in matches]
        if not matches:
            found += _missing(d, listed)
    principal_of = {(o.provider, o.kind, o.name.casefold()): o for o in observed if not o.parent}
    for (kind, parent), wanted in sorted(keys.items()):
        live = sorted(credentials.get((kind, parent), ()), key=lambda o: o.key)
        for d, o in zip(sorted(wanted, key=lambda d: (d.repository, d.identity)), live,
                        strict=False):  # fmt: skip
            claimed.add((o.provider, o.key))
            found.append(Joined(state="live", declared=d, observed=o))
        for d in sorted(wanted, key=lambda d: d.identity)[len(live) :]:
            found += _missing(d, listed)
    for o in observed:
        if not o.live or (o.provider, o.key) in claimed or o.kind == COVERAGE:
            continue
        if not o.parent and o.kind in PRINCIPALS:
            found.append(Joined(state="undeclared", declared=None, observed=o, why=NOBODY))
            continue
        owner = next((hit for k in PRINCIPALS
                      if (hit := principal_of.get((o.provider, k, o.parent.casefold())))),
                     None)  # fmt: skip
        if owner is not None and (owner.provider, owner.key) in claimed:
            found.append(Joined(state="undeclared", declared=None, observed=o,
                                why=f"a credential of the declared {o.parent} that no "
                                    "repository declares"))  # fmt: skip
    return found


def _missing(d: Declared, listed: dict[tuple[str, str, str], set[str]]) -> list[Joined]:
    """Not live, when an export lists every item of its kind (for a credential: of its
    principal); else nothing can be said (a keys list of another account, no export at all)."""
    sources = listed.get((d.provider, d.observed_kind, "")) or \
        listed.get((d.provider, d.observed_kind, d.name.casefold()))  # fmt: skip
    if not sources:
        return []
    scope = f" (scope {d.scope})" if d.scope else ""
    return [Joined(state="not_live", declared=d, observed=None,
                   why=f"no live {d.observed_kind} {d.name}{scope} in "
                       f"{', '.join(sorted(sources))}")]  # fmt: skip


def _visible(secret: Observed, repository: str) -> bool:
    """Whether a workflow of `repository` can read this stored secret."""
    if secret.scope.startswith("org:"):
        owner = secret.scope[4:]
        details = dict(secret.details)
        if not repository.casefold().startswith(owner.casefold() + "/"):
            return False
        if details.get("visibility") == "selected":
            return repository.casefold() in details.get("repositories", "").casefold().split()
        return True
    return secret.scope.split(":env:", 1)[0].casefold() == repository.casefold()


def _github(declared: list[Declared], stored: list[Observed],
            reported: frozenset[str]) -> list[Joined]:  # fmt: skip
    if not stored:
        return []
    covered = {o.scope.split(":env:", 1)[0].casefold() for o in stored
               if not o.scope.startswith("org:") or o.kind == COVERAGE}  # fmt: skip
    secrets = [o for o in stored if o.kind == "github_secret"]
    by_name: dict[str, list[Observed]] = defaultdict(list)
    for o in secrets:
        by_name[o.name.casefold()].append(o)
    found: list[Joined] = []
    read: set[str] = set()  # Observed.key of every stored secret some workflow can read
    for d in declared:
        repository = d.scope if d.kind == "workflow_secret" else ""
        candidates = by_name.get(d.name.casefold(), [])
        if d.kind != "workflow_secret":
            found += _terraform_secret(d, candidates, covered)
            continue
        if repository.casefold() not in covered:
            continue
        usable = [o for o in candidates if _visible(o, repository)]
        # The reference's environment first, then the repository's, then the organisation's.
        usable.sort(key=lambda o: (":env:" not in o.scope or not o.scope.endswith(
            f":env:{d.environment}"), o.scope.startswith("org:"), o.scope))  # fmt: skip
        read.update(o.key for o in usable)
        if usable:
            found.append(Joined(state="live", declared=d, observed=usable[0]))
        elif f"org:{repository.split('/', 1)[0]}".casefold() in covered:  # else cannot tell
            found.append(Joined(state="unsatisfied", declared=d, observed=None,
                                why=f"stored in neither {repository}, its "
                                    "environments nor its organisation"))  # fmt: skip
    lowered = {r.casefold(): r for r in reported}
    for o in secrets:
        if o.key in read:
            continue
        home = o.scope.split(":env:", 1)[0].casefold()
        scanned = [r for r in reported if _visible(o, r)] if o.scope.startswith("org:") else \
            [lowered[home]] if home in lowered else []  # fmt: skip
        if scanned:
            found.append(Joined(state="unreferenced", declared=None, observed=o,
                                why=f"no workflow of {', '.join(sorted(scanned)[:3])}"
                                    " reads it"))  # fmt: skip
    others = [o for o in stored if o.kind != "github_secret" and o.kind != COVERAGE and o.live]
    found += [Joined(state="undeclared", declared=None, observed=o,
                     why=NOBODY) for o in others]  # fmt: skip
    return found


def _terraform_secret(d: Declared, candidates: list[Observed], covered: set[str]) -> list[Joined]:
    """A secret Terraform writes: live when stored under its name where it says."""
    where = [
        o
        for o in candidates
        if (d.scope == "org" and o.scope.startswith("org:"))
        or (d.scope and o.scope.split(":env:", 1)[0].casefold() == d.scope.casefold())
    ]
    if where:
        return [Joined(state="live", declared=d, observed=where[0])]
    if d.scope and d.scope != "org" and d.scope.casefold() in covered:
        return [Joined(state="not_live", declared=d, observed=None,
                       why=f"not stored in {d.scope}")]  # fmt: skip
    return []
