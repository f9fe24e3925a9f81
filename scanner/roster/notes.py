"""What the aggregate output says about the rosters themselves: exports that cannot be right.

A roster in which nobody has left, while the reports name people it does not know, is almost
always the wrong export: Okta's default user list leaves out DEPROVISIONED users, Graph leaves
out deleted ones. Their orphans then never reach a manager, so the output says which export to
take and why (#23). Accounts merged because they share an address are noted too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scanner.roster import People, Roster, normalise

# Which export lists the people who left, per format (README, "Roster formats").
EXPORT_HINTS = {
    "okta": "Okta's GET /api/v1/users leaves out DEPROVISIONED users: add the export of "
    'search=status eq "DEPROVISIONED" (another --roster)',
    "okta-csv": "an Okta CSV of active people only cannot say who left: export the "
    "deactivated (DEPROVISIONED) users too",
    "entra": "Graph lists deleted users only under /directory/deletedItems/microsoft.graph.user, "
    "and accountEnabled and employeeLeaveDateTime only with $select: export those too",
    "entra-csv": "Download users in the Entra admin centre with no filter, so disabled "
    "accounts (accountEnabled False) are in it",
    "google": "users.list with showDeleted=true lists only the deleted users: export those too "
    "(another --roster), beside the list of the others",
    "scim": "ask the SCIM server for inactive users too (active false)",
    "csv": "list the people who left too, with their status",
}


def _team(roster: Roster, reference: str) -> bool:
    return roster.is_team(reference) or (reference.startswith("@") and "/" in reference)


def roster_notes(
    roster: Roster, by_file: Mapping[str, tuple[str, People]], unknown: Iterable[str]
) -> tuple[str, ...]:
    """Notes for the aggregate output: merged accounts, what each export says about itself
    (`People.notes`), then the exports to add when nobody in any roster has left. `by_file`
    maps each roster file to its format and people."""
    notes = list(roster.merges())
    for _name, people in by_file.values():
        notes += people.notes
    # A listed person whose state the export does not give is no stranger (#23).
    strangers = sorted({normalise(r) for r in unknown
                        if not _team(roster, r) and roster.person(r) is None})  # fmt: skip
    # Judged over every roster given: Okta's list and its DEPROVISIONED search are one roster.
    gone = any(p.state == "departed" for _, people in by_file.values() for p in people)
    if not strangers or gone:
        return tuple(notes)
    example = ", ".join(strangers[:3]) + (", ..." if len(strangers) > 3 else "")
    for source, (name, _people) in by_file.items():
        notes.append(
            f"{source}: nobody in this roster has left, yet the reports name {len(strangers)} "
            f"people no roster knows ({example}); their identities reach no manager. "
            f"{EXPORT_HINTS.get(name, EXPORT_HINTS['csv'])}."
        )
    return tuple(notes)
