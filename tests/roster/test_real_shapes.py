"""Export shapes the vendors' own tools and documents produce, beyond the canonical ones:
managers referenced every way an export fills the field, several pages in one file, CSVs
saved by European or Unicode Excel. Fixtures, with the docs they follow, in fixtures/README.md."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from scanner.decode import export_text
from scanner.errors import RosterError
from scanner.roster import Roster, detect, parse

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = datetime.date(2026, 11, 1)


def roster(*names: str) -> Roster:
    found = []
    for name in names:
        found += parse(export_text((FIXTURES / name).read_bytes()), name, AS_OF)
    return Roster(found)


def managers(found: Roster, *emails: str) -> dict[str, tuple[str, str | None]]:
    answer = {}
    for email in emails:
        person = found.person(email)
        assert person is not None, email
        manager = found.manager_of(person)
        answer[email] = (found.state(email), manager.primary if manager else None)
    return answer


def test_scim_managers_by_ref_display_name_or_bare_id() -> None:
    found = roster("scim_manager_shapes.json")
    assert managers(found, "bob@acme.example", "alice@acme.example", "dan@acme.example") == {
        "bob@acme.example": ("departed", "carol@acme.example"),  # `$ref` only
        "alice@acme.example": ("active", "bob@acme.example"),  # `displayName` only
        "dan@acme.example": ("active", "bob@acme.example"),  # a bare id string
    }
    alice = found.person("alice@acme.example")
    assert alice is not None
    manager, skipped = found.route(alice)
    assert (manager.primary if manager else None, skipped) == (
        "carol@acme.example",
        ("bob@acme.example (departed)",),
    )


def test_okta_manager_holding_an_email_or_an_id_no_roster_lists() -> None:
    found = roster("okta_manager_fields.json")
    assert managers(found, "bob@acme.example", "alice@acme.example") == {
        "bob@acme.example": ("departed", "carol@acme.example"),  # `manager` is an email
        "alice@acme.example": ("active", "bob@acme.example"),  # `managerId` E200: by name
    }


CHAIN = {
    "carol@acme.example": ("active", None),
    "bob@acme.example": ("departed", "carol@acme.example"),
    "alice@acme.example": ("active", "bob@acme.example"),
}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("okta_pages_appended.json", "okta"),
        ("okta_users.ndjson", "okta"),
        ("entra_pages_gathered.json", "entra"),
        ("scim_pages_appended.json", "scim"),
    ],
)
def test_pages_in_one_file_are_one_roster(name: str, fmt: str) -> None:
    text = export_text((FIXTURES / name).read_bytes())
    assert detect(text) == fmt
    people = parse(text, name, AS_OF)
    assert people.notes == ()  # every page is there: no "first page only" note
    assert managers(Roster(people), *CHAIN) == CHAIN


def test_an_array_of_pages_of_the_wrong_shape_is_one_clear_error() -> None:
    with pytest.raises(RosterError, match=r"^x.json: expected a list of users under 'value'$"):
        parse('{"value": []}\n[1, 2]', "x.json", AS_OF, "entra")
    with pytest.raises(RosterError, match=r"^x.json: not valid JSON \(line 2\)$"):
        parse('[{"profile": {}}]\n[{"profile"', "x.json", AS_OF, "okta")
