"""The values of the review loop (#24): decisions on identities, handovers to new owners, and
what one run changed. A leaf module: `resolve.Aggregate` carries a `Review`, and the modules
that build one (`decisions`, `adoption`, `changes`) import these types from here."""

from __future__ import annotations

from dataclasses import dataclass

KEEP, REASSIGN, REVOKE = "keep", "reassign", "revoke"
ACTIONS = (KEEP, REASSIGN, REVOKE)
# The org view's state of an identity a decision or a handover settled (`Resolved.state`).
KEPT, REASSIGNED, REVOKING, ADOPTED = "kept", "reassigned", "revoking", "adopted"
STATE_OF = {KEEP: KEPT, REASSIGN: REASSIGNED, REVOKE: REVOKING}
# States that still wait for something: the inventory keeps their orphaned spell open.
OPEN_STATES = frozenset({"orphaned", REVOKING})

Key = tuple[str, str]  # (repository, identity)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """One row of a decisions file (or the inventory's record of one)."""

    repository: str
    identity: str
    action: str  # keep, reassign, revoke
    decided_by: str
    decided_on: str  # YYYY-MM-DD
    assign_to: str = ""  # reassign: the person or team who owns it from now on
    note: str = ""
    source: str = ""  # "decisions.csv:4"; "inventory" for one recorded by an earlier run
    people: str = ""  # the identity's people when it was first recorded (a keep lapses on change)

    @property
    def key(self) -> Key:
        return self.repository, self.identity

    def describe(self) -> str:
        """'kept by carol@acme.example on 2026-11-02' and the like."""
        verb = {KEEP: "kept", REASSIGN: f"reassigned to {self.assign_to}", REVOKE: "revoked"}
        return f"{verb[self.action]} by {self.decided_by} on {self.decided_on}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Handover:
    """An identity whose provisioner left and which now has an active accountable owner."""

    owners: tuple[str, ...]  # the active owners it now has
    provisioner: str
    left_on: str | None
    repository: str
    identity: str
    name: str
    first: bool = True  # the first run that saw it (the new owner is told once)

    @property
    def key(self) -> Key:
        return self.repository, self.identity

    def describe(self) -> str:
        """'you now own X, provisioned by alice who left on 2026-03-02'."""
        left = f"who left on {self.left_on}" if self.left_on else "who has left"
        return f"you now own {self.name}, provisioned by {self.provisioner} {left}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    """What the review loop did in one run, for every output format."""

    decisions: tuple[Decision, ...] = ()  # in force this run, sorted by key
    given: tuple[Decision, ...] = ()  # the valid rows of this run's files (recorded, with history)
    problems: tuple[str, ...] = ()  # one message per decision row that was not applied
    # earlier decisions that no longer hold: (identity, "kept by ... on ...: why")
    lapsed: tuple[tuple[Key, str], ...] = ()
    handovers: tuple[Handover, ...] = ()
    waivers: tuple[str, ...] = ()  # org-scope waivers: expired, ownerless, too long
    new: tuple[Key, ...] = ()  # identities the previous run did not have (needs the inventory)
    resolved: tuple[tuple[Key, str], ...] = ()  # (identity, by which decision) this run
    first_run: bool = False  # the inventory was empty: nothing is "new"
