"""The core values that flow through the pipeline, one frozen type per stage.

`Identity` (scanners) -> `Attributed` (attribution) -> `Finding` (policies) -> `Report`.
No I/O and no logic here beyond tiny derived properties.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

# A JSON value. Attributes are facts that policies and reports read, so they stay JSON-shaped.
JSON: TypeAlias = str | int | float | bool | list["JSON"] | dict[str, "JSON"] | None

SCHEMA_VERSION = 1


# A progress callback: (stage, done, total), e.g. ("parsed", 1200, 3000). The CLI draws it on a
# terminal; the library never prints.
Progress = Callable[[str, int, int], None]


class Category(enum.StrEnum):
    """What an identity is. Stable public names (they appear in reports and policies)."""

    IDENTITY = "identity"  # a principal: IAM user or role, service account, MCP server
    CREDENTIAL = "credential"  # key material or a secret: access key, token, password
    GRANT = "grant"  # a permission or trust binding: policy attachment, role assignment


class Confidence(enum.StrEnum):
    """How sure attribution is of a provisioner (public names: they appear in reports)."""

    HIGH = "high"  # a human commit introduced the line
    MEDIUM = "medium"  # a move, copy, bot, edit or ignored revision was looked past
    LOW = "low"  # an ignored revision git could not place elsewhere
    UNKNOWN = "unknown"  # history is missing (a shallow clone) or names nobody


class FindingStatus(enum.StrEnum):
    """What the filter stage decided about a finding; only `open` fails a run."""

    OPEN = "open"
    SUPPRESSED = "suppressed"  # by a waiver
    BASELINED = "baselined"
    PRE_EXISTING = "pre-existing"  # older than --diff-base


class WaiverState(enum.StrEnum):
    """How a run used a waiver."""

    ACTIVE = "active"
    EXPIRED = "expired"
    INVALID = "invalid"
    UNUSED = "unused"


class Scope(enum.StrEnum):
    """Where a policy runs: every scan, or the aggregator (it needs a roster)."""

    REPO = "repo"
    ORG = "org"


class RosterState(enum.StrEnum):
    """A person as an IdP roster says (`unknown`: in no roster)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEAVING = "leaving"  # a leave date in the future
    NOT_STARTED = "not_started"
    DEPARTED = "departed"
    UNKNOWN = "unknown"


class Severity(enum.IntEnum):
    """Ordered, so `--fail-on` is a comparison."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class Consumer:
    """Something that uses an identity: a workflow job, an MCP server, a workload."""

    kind: str  # e.g. "workflow_job", "mcp_server"
    ref: str  # e.g. ".github/workflows/deploy.yml#deploy"


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """A non-human identity, credential or grant written down in a file. Facts only."""

    scanner: str  # key in SCANNERS
    kind: str  # stable public name: the Terraform resource type, "workflow_secret", ...
    category: Category
    name: str  # what a human calls it: the resource name, the secret's name
    path: str  # repository-relative, POSIX separators
    line: int  # 1-based, first line of the declaration
    end_line: int  # inclusive
    # Symbolic address inside the file, unique per file and independent of line numbers
    # (e.g. "aws_iam_access_key.ci", "mcpServers/github/env/GITHUB_TOKEN"). With the path it
    # makes the identity's id, so ids survive lines inserted above a declaration.
    pointer: str
    # The line attribution blames (Terraform: the `resource "type" "name" {` line).
    anchor_line: int
    attributes: Mapping[str, JSON] = field(default_factory=dict, hash=False)
    declared_owners: tuple[str, ...] = ()  # owner hints written in the file (tags, owners=)
    consumers: tuple[Consumer, ...] = ()

    @property
    def id(self) -> str:
        """Stable across line moves and re-scans; public API (baselines, waivers, explain)."""
        return f"{self.path}#{self.pointer}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleCall:
    """A Terraform `module` block: recorded so a later step can follow its source."""

    path: str
    line: int
    name: str
    source: str | None  # None when the source is not a literal string
    version: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TerraformBlock:
    """What lineage needs from a Terraform block besides its identity. Never a secret's value.

    Emitted for catalog resources, `aws_iam_policy_document` data sources and module calls, so
    the linking stage can follow references across the files of one configuration.
    """

    path: str
    address: str  # "aws_iam_role.deploy", "data.aws_iam_policy_document.trust", "module.eu"
    line: int
    end_line: int
    # Top-level attribute -> the block addresses its expressions name ("user" -> [...]).
    references: Mapping[str, JSON] = field(default_factory=dict, hash=False)
    # Literal, non-secret settings lineage matches on: name, secret_name, repository, url, ...
    settings: Mapping[str, JSON] = field(default_factory=dict, hash=False)
    # Policy attribute -> normalised statements, {"ref": address} or {"unknown": expression}.
    policies: Mapping[str, JSON] = field(default_factory=dict, hash=False)
    digest: str | None = None  # of the normalised body (values left out); None when empty
    # Top-level attribute -> the input variables (`var.x` -> "x") its expression reads, so
    # module expansion knows which arguments of a call reach an identity (#19). A module call
    # lists every argument it passes.
    inputs: Mapping[str, JSON] = field(default_factory=dict, hash=False)
    # A module call's arguments that hold a value of their own (`name = "ci"`), not only the
    # caller's inputs passed on (`name = var.name`); `providers` when it names an alias.
    values: tuple[str, ...] = ()


# What a scanner yields: identities, module calls and the blocks lineage joins (defined once).
Fact: TypeAlias = "Identity | ModuleCall | TerraformBlock"


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A relation between two identities, or from one to something outside the report.

    `to` is an identity id or an external reference (`github-oidc:repo:acme/app:ref:...`).
    `evidence` says why, in words, and never quotes a value.
    """

    source: str  # an Identity.id ("from" in the JSON report)
    to: str
    relation: str  # stable public name: see lineage.RELATIONS
    evidence: str
    attributes: Mapping[str, JSON] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reach:
    """What an identity can do, from the policies attached to it in the same configuration."""

    identity: str
    admin: bool  # "*" on "*" (or a managed policy known to be exactly that)
    services: tuple[str, ...] = ()  # services with a wildcard action ("s3" for "s3:*")
    actions: tuple[str, ...] = ()  # named actions outside those services
    resources: tuple[str, ...] = ()  # named resources ("*" excluded), as written
    managed: tuple[str, ...] = ()  # managed policies and roles attached by name
    unknown: tuple[str, ...] = ()  # expressions that could not be resolved, as written


@dataclass(frozen=True, slots=True, kw_only=True)
class Provisioner:
    """The human whose commit introduced a declaration, with how sure we are and why."""

    name: str
    email: str
    commit: str
    date: str  # ISO 8601
    uncommitted: bool
    confidence: Confidence
    evidence: tuple[str, ...] = ()
    co_authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Author:
    """A human author of some of a declaration's lines."""

    name: str
    email: str
    commit: str  # their latest commit among those lines (all zeros: not committed yet)
    date: str  # ISO 8601
    lines: int  # how many of the declaration's lines are theirs


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribution:
    """Who is accountable for an identity. Empty when there is no evidence (no git, no rule)."""

    provisioner: Provisioner | None = None
    owners: tuple[str, ...] = ()  # CODEOWNERS owners: "@org/team", "@user", "user@example.com"
    owners_source: str | None = None  # "<CODEOWNERS file>:<line>" of the rule that matched
    last_modified_by: Author | None = None  # the most recent human author of any line
    contributors: tuple[Author, ...] = ()  # distinct human authors, most lines first
    # An MCP credential's installer: who added the server entry that receives it (the server's
    # provisioner). Routing asks this person first when the credential's own people are gone.
    installed_by: Provisioner | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attributed:
    """An identity with its attribution: the unit that policies evaluate."""

    identity: Identity
    attribution: Attribution


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A policy that holds for an identity, and what the filter stage decided about it."""

    rule: str
    severity: Severity
    identity: str  # Identity.id
    path: str
    line: int
    message: str
    # "open" fails the run; "suppressed" (by `waiver`), "baselined" and "pre-existing"
    # (older than --diff-base) are reported but never fail it.
    status: FindingStatus = FindingStatus.OPEN
    waiver: Waiver | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanError:
    """Input we could not read or parse. Bad input is data, not an exception."""

    path: str
    line: int | None
    message: str  # one line; never quotes file content


@dataclass(frozen=True, slots=True, kw_only=True)
class Repository:
    """What was scanned."""

    name: str  # "owner/repo" when known, else the folder name
    commit: str | None  # HEAD, or None outside git or before the first commit
    shallow: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything one scan of one repository produced; the aggregator's input."""

    tool_version: str
    repository: Repository
    subjects: tuple[Attributed, ...]
    modules: tuple[ModuleCall, ...]
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    waivers: tuple[WaiverStatus, ...] = ()  # every waiver seen, with how it was used
    policies: tuple[Policy, ...] = ()  # the policies that fired, for reporters (SARIF rules)
    links: tuple[Link, ...] = ()  # lineage: how identities relate (lineage.RELATIONS)
    reach: tuple[Reach, ...] = ()  # lineage: what identities can do
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True, kw_only=True)
class Waiver:
    """An owner-signed, expiring exception to one or more rules for matching identities."""

    rules: tuple[str, ...]  # policy ids; ("*",) for every rule
    owner: str
    expires: str  # ISO date, YYYY-MM-DD
    reason: str
    source: str  # "<file>:<line>" where it is written
    identity: str | None = None  # an Identity.id, or None to match by `paths`
    paths: tuple[str, ...] = ()  # globs on the identity's path


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiverStatus:
    """A waiver as the run saw it: `active`, `expired`, `invalid` (and why) or `unused`."""

    waiver: Waiver
    status: WaiverState
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One entry of a policy's `when:` list: a predicate and its arguments (or nested ones)."""

    predicate: str  # key in PREDICATES, or "all" / "any" / "not"
    args: Mapping[str, JSON] = field(default_factory=dict, hash=False)
    children: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """A judgement loaded from a policies/*.yaml file."""

    id: str  # e.g. "NHI001"; never reused or renumbered
    title: str
    severity: Severity
    scope: Scope
    kinds: frozenset[str]  # empty: every kind
    categories: frozenset[str]  # empty: every category
    when: tuple[Condition, ...]  # all must hold
    message: str  # template; placeholders from policy.loader.PLACEHOLDERS
    description: str
    owasp: str | None
    source: str  # the file it came from
    # About how the scan ran, not about the code (NHI007: history missing): SARIF reports it
    # as a tool notification, never as a code-scanning alert.
    notice: bool = False
    max_days: int = 365  # the furthest a waiver of this rule may expire (#24)
