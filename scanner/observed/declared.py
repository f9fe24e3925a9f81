"""What the repositories declare, in the names the providers use: gathered from each report as
the aggregator streams it (only these small keys are kept, never a whole report), for the join
with the exports (`scanner.observed.join`).

A Terraform identity gives its provider name when the scanner kept it literally (`name`,
`account_id`, `display_name`, `secret_name`...); a credential takes its principal's name from
its own literal (`user = "ci"`) or from the `belongs_to` link to the principal declared beside
it. A workflow's secret reference is declared by its name in its repository. A name written as
an expression cannot be joined: it is counted and said in a note, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scanner.model import JSON, Identity, Report

# Declared kind -> (provider, observed kind, the attribute holding the name, whose name it is).
# "own": the identity's name; "principal": the name of the principal the credential belongs to.
JOINS: dict[str, tuple[str, str, str, str]] = {
    "aws_iam_user": ("aws", "aws_iam_user", "name", "own"),
    "aws_iam_access_key": ("aws", "aws_access_key", "user", "principal"),
    "aws_iam_signing_certificate": ("aws", "aws_signing_certificate", "user_name", "principal"),
    "google_service_account": ("gcp", "gcp_service_account", "account_id", "own"),
    "google_service_account_key": ("gcp", "gcp_service_account_key", "service_account_id",
                                   "principal"),
    "azuread_application": ("entra", "entra_application", "display_name", "own"),
    "azuread_application_registration": ("entra", "entra_application", "display_name", "own"),
    "azuread_application_password": ("entra", "entra_password", "application_id", "principal"),
    "azuread_application_certificate": ("entra", "entra_certificate", "application_id",
                                        "principal"),
    "azuread_service_principal": ("entra", "entra_service_principal", "client_id",
                                  "principal"),
    "azuread_service_principal_password": ("entra", "entra_password", "service_principal_id",
                                           "principal"),
    "github_actions_secret": ("github", "github_secret", "secret_name", "own"),
    "github_actions_environment_secret": ("github", "github_secret", "secret_name", "own"),
    "github_actions_organization_secret": ("github", "github_secret", "secret_name", "own"),
    "workflow_secret": ("github", "github_secret", "", "own"),  # the reference's own name
}  # fmt: skip


JOINS_PROVIDERS = frozenset(join[0] for join in JOINS.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class Declared:
    """One declared identity as the join sees it."""

    repository: str
    identity: str  # Identity.id
    kind: str  # the declared kind
    provider: str
    observed_kind: str  # what it matches in an export
    name: str  # the provider's name: its own, or its principal's for a credential
    scope: str  # where the name lives when the declaration says (GCP project, repository)
    attribute: str  # the attribute that holds the name ("" for a workflow's reference)
    sample: bool  # under an examples/tests folder: never deployed as is
    environment: str = ""  # a workflow reference's (or secret's) environment, if one
    via: str = ""  # the principal a credential takes its name from (`aws_iam_user.ci`)

    @property
    def how(self) -> str:
        """How the name was found: the start of the "how matched" sentence (made when shown,
        not kept: there are hundreds of thousands)."""
        path = self.identity.split("#", 1)[0]
        if not self.attribute:
            return f"secret {self.name} read in {path}"
        if self.via:
            return f"belongs to {self.via} ({self.attribute} {self.name!r})"
        return f"{self.attribute} {self.name!r} written in {path}"


class Collector:
    """Fed one report at a time (`add`); `declared` and `unjoinable` afterwards. Only the
    identities of `providers` (those an export was given for) are kept."""

    def __init__(self, providers: frozenset[str] = frozenset(JOINS_PROVIDERS)) -> None:
        self.kinds = frozenset(kind for kind, join in JOINS.items() if join[0] in providers)
        self.declared: list[Declared] = []
        # (repository, identity, provider, why): the first three of each provider, and counts
        self.unjoinable: list[tuple[str, str, str, str]] = []
        self.unjoinable_count: dict[str, int] = {}
        self.repositories: set[str] = set()

    def add(self, report: Report) -> None:
        repository = report.repository.name
        self.repositories.add(repository)
        subjects = [s.identity for s in report.subjects if s.identity.kind in self.kinds]
        if not subjects:
            return
        by_id = {i.id: i for i in subjects}
        owner_of = {link.source: by_id[link.to] for link in report.links
                    if link.relation == "belongs_to" and link.to in by_id}  # fmt: skip
        for identity in subjects:
            found = _declared(repository, identity, owner_of.get(identity.id))
            if isinstance(found, Declared):
                self.declared.append(found)
            elif found:
                provider = JOINS[identity.kind][0]
                count = self.unjoinable_count[provider] = self.unjoinable_count.get(provider, 0) + 1
                if count <= 3:
                    self.unjoinable.append((repository, identity.id, provider, found))


def _declared(repository: str, identity: Identity, principal: Identity | None) -> Declared | str:
    """The join key of one identity, or why it has none ("" when there is nothing to say)."""
    provider, observed_kind, attribute, whose = JOINS[identity.kind]
    attributes = identity.attributes
    name: str | None
    via = ""
    if identity.kind == "workflow_secret":
        if attributes.get("ephemeral") or attributes.get("declared"):
            return ""  # GitHub's own token; a reusable workflow's input, given by its caller
        name, attribute = identity.name, ""
    elif whose == "own":
        name = _literal(attributes, attribute)
    else:
        name = _literal(attributes, attribute)
        if name is None and principal is not None:
            attribute = JOINS.get(principal.kind, ("", "", "", ""))[2]
            name = _literal(principal.attributes, attribute)
            via = str(principal.attributes.get("address") or principal.name)
    if name is None:
        return _why(identity, JOINS[identity.kind][2])
    return Declared(
        repository=repository, identity=identity.id, kind=identity.kind, provider=provider,
        observed_kind=observed_kind, name=name, scope=_scope(identity, repository),
        attribute=attribute, sample=attributes.get("sample") == "true",
        environment=_environment(attributes), via=via,
    )  # fmt: skip


def _literal(attributes: Mapping[str, JSON], key: str) -> str | None:
    value = attributes.get(key)
    if not isinstance(value, str):
        return None
    # A Google key names its account by `google_service_account.x.name`, which the link
    # resolves; a literal "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com" is the id.
    return value.rsplit("/", 1)[-1].split("@", 1)[0] if key == "service_account_id" else value


def _why(identity: Identity, attribute: str) -> str:
    if attribute in _strings(identity.attributes.get("not_literal")):
        return f"its {attribute} is an expression"
    return f"no literal {attribute} and no declared principal"


def _strings(value: JSON) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _scope(identity: Identity, repository: str) -> str:
    """Where the provider's name lives, when the declaration says: a GCP project, a GitHub
    secret's repository ("owner/name"; Terraform writes only the name) or organisation."""
    attributes = identity.attributes
    if identity.kind == "workflow_secret":
        return repository
    if identity.kind == "github_actions_organization_secret":
        return "org"
    if identity.kind.startswith("github_"):
        written = attributes.get("repository")
        owner = repository.split("/", 1)[0] if "/" in repository else ""
        return f"{owner}/{written}" if isinstance(written, str) and owner else ""
    project = attributes.get("project")
    return project if isinstance(project, str) else ""


def _environment(attributes: Mapping[str, JSON]) -> str:
    value = attributes.get("environment")
    return value if isinstance(value, str) else ""
