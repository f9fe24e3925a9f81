"""Who must decide about an identity whose people are gone or going, and why (#23).

The order: for an MCP credential whose own people are all gone, the active installer (who
added the server entry it is handed to, issue 18); then the nearest active manager up the
chain of the person who is gone (a dissolved team's successor, for a team); else the active
accountable owners (a team by its `lead:`); else the active provisioner; else the default
owner. Every answer says why, including where a manager chain broke ("manager E1001 is in no
roster", "cycle at ...").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from scanner.roster import Roster, normalise

_PRESENT = "active"


class Named(Protocol):
    """A person as an identity names them (`aggregate.PersonState`)."""

    @property
    def reference(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def email(self) -> str | None: ...


def decide(
    people: Sequence[Named], roster: Roster, default_owner: str | None
) -> tuple[tuple[str, ...], str]:
    """The deciders and the reason."""
    installer = next((p for p in people if p.role == "installer"), None)
    own = [p for p in people if p.role != "installer"]
    if installer is not None and installer.state == _PRESENT and own and \
            not any(p.state == _PRESENT for p in own):  # fmt: skip
        return (installer.email or normalise(installer.reference),), (
            "the installer: added the MCP server entry this credential is handed to; the "
            "credential's own people are gone"
        )
    dead_ends: list[str] = []  # manager chains that led nowhere, said in `why`
    for person in people:
        if person.state in (_PRESENT, "unknown"):  # unknown: nobody whose manager we know
            continue
        if roster.is_team(person.reference):
            taken = _successor(person.reference, roster)
            if taken is not None:
                return taken
            continue
        found = roster.person(person.reference)
        if found is None:
            continue
        manager, skipped = roster.route(found)
        if manager is not None:
            past = f" (past {', '.join(skipped)})" if skipped else ""
            return (manager.primary,), f"manager of {found.primary}{past}"
        if skipped:
            dead_ends.append(f"{found.primary}'s managers: {', '.join(skipped)}")
    because = f" ({'; '.join(dead_ends)})" if dead_ends else ""
    owners = [p for p in people if p.role == "owner" and p.state == _PRESENT]
    if owners:
        deciders, leads = zip(*(_speaker(p.email or p.reference, roster) for p in owners),
                              strict=True)  # fmt: skip
        said = "; ".join(lead for lead in leads if lead)
        why = "the active owners" + (f", {said}" if said else "")
        return tuple(sorted(set(deciders))), why + because
    provisioner = next((p for p in people if p.role == "provisioner" and p.state == _PRESENT),
                       None)  # fmt: skip
    if provisioner is not None:
        return (provisioner.email or normalise(provisioner.reference),), \
            f"the active provisioner; no manager or active owner could decide{because}"  # fmt: skip
    if default_owner:
        return (default_owner,), f"the default owner; nobody else could decide{because}"
    return (), f"nobody: give --default-owner{because}"


def _speaker(reference: str, roster: Roster) -> tuple[str, str]:
    """Who speaks for an owner: a team's lead (named in --teams), else the owner itself."""
    value = normalise(reference)
    lead = roster.lead(value) if roster.is_team(value) else None
    if lead is None:
        return value, ""
    person = roster.person(lead)
    if person is None or person.state != _PRESENT:
        return value, ""
    return person.primary, f"{person.primary} leads {value}"


def _successor(team: str, roster: Roster) -> tuple[tuple[str, ...], str] | None:
    """A dissolved team's successor (and its lead), when --teams names one that is active."""
    seen = {normalise(team)}
    current = roster.successor(team)
    while current is not None and current not in seen:
        seen.add(current)
        if roster.state(current) == _PRESENT:
            decider, lead = _speaker(current, roster)
            said = f"; {lead}" if lead else ""
            return (decider,), f"{normalise(team)} is gone; {current} took over{said}"
        current = roster.successor(current)
    return None
