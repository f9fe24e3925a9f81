"""Fuzz every roster format: any text ends in people or a RosterError, never another exception.

The parsed people then go through the lookups `nhi aggregate` makes (by email, login, id; a
team's state; the manager chain), which must not fail on whatever an export put in a field.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from scanner.decode import export_text
from scanner.errors import RosterError
from scanner.roster import ROSTER_FORMATS, Roster, parse
from tests.fuzz.strategies import STRINGS, documents, mutations, values

FIXTURES = Path(__file__).parent.parent / "roster" / "fixtures"
SAMPLES = sorted(export_text(p.read_bytes()) for p in FIXTURES.iterdir())  # UTF-16 ones too
AS_OF = datetime.date(2026, 1, 1)

users = st.lists(
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            (
                "id",
                "status",
                "profile",
                "mail",
                "otherMails",
                "proxyAddresses",
                "manager",
                "accountEnabled",
                "employeeLeaveDateTime",
                "primaryEmail",
                "aliases",
                "emails",
                "relations",
                "name",
                "suspended",
                "userName",
                "active",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                "displayName",
                "deletionTime",
                "nonEditableAliases",
            ),
            values,
        ),
    ),
    max_size=4,
)
json_rosters = st.one_of(
    users,
    st.builds(
        lambda key, found: {key: found}, st.sampled_from(["value", "users", "Resources"]), users
    ),
    documents,
).map(json.dumps)
cells = st.sampled_from(STRINGS) | st.text(max_size=8)


@st.composite
def csv_rosters(draw: st.DrawFn) -> str:
    header = draw(st.lists(st.sampled_from(["email", "status", "manager", "github_login", "name",
                                            "aliases", "leave_date", "managerId", "login",
                                            "userPrincipalName", "accountEnabled",
                                            "employeeLeaveDateTime", "displayName"]),
                           min_size=1, max_size=6))  # fmt: skip
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 1), max_size=4))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([header, *rows])
    return out.getvalue()


rosters = json_rosters | csv_rosters() | st.sampled_from(SAMPLES).flatmap(mutations)


@given(rosters, st.sampled_from(["auto", *sorted(ROSTER_FORMATS)]), cells)
def test_roster_formats(text: str, fmt: str, reference: str) -> None:
    try:
        people = parse(text, "roster.json", AS_OF, fmt)
    except RosterError as error:
        assert str(error).startswith("roster.json: ")
        return
    roster = Roster(people, teams={"@o/t": [reference, "@x"]}, people_map={reference: "a@b.co"})
    for person in people:
        assert person.state in {"active", "suspended", "departed", "not_started", "leaving",
                                "unknown"}  # fmt: skip
        manager, skipped = roster.route(person)
        assert manager is None or manager.state == "active"
        assert all(isinstance(s, str) for s in skipped)
    assert roster.state(reference) in {"active", "suspended", "departed", "not_started",
                                       "leaving", "unknown"}  # fmt: skip
    # A team is unknown when no member is in a roster, leaving with its last members (#23).
    assert roster.state("@o/t") in {"active", "leaving", "departed", "unknown"}
