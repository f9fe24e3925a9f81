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


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("entra_download_semicolon.csv", "entra-csv"),
        ("entra_download_unicode.txt", "entra-csv"),
        ("roster_semicolon_names.csv", "csv"),
    ],
)
def test_csv_saved_by_excel_with_semicolons_or_tabs(name: str, fmt: str) -> None:
    text = export_text((FIXTURES / name).read_bytes())
    assert detect(text) == fmt
    people = parse(text, name, AS_OF)
    found = Roster(people)
    # Alice's department "Eng; Platform" is quoted: its `;` is data, her accountEnabled stays True.
    assert [found.state(e) for e in CHAIN] == ["active", "departed", "active"]
    if fmt == "csv":  # managers by display name
        assert managers(found, *CHAIN) == CHAIN


def test_microsoft_365_export_block_credential_and_proxy_addresses() -> None:
    found = roster("m365_export_users.csv")
    carol = found.person("carol@acme.example")  # from Proxy addresses, SIP: left out
    assert carol is not None and carol.emails == {
        "carol@acme.onmicrosoft.com",
        "carol@acme.example",
    }
    assert (carol.id, carol.name) == ("6e7b768e-0001", "Carol Chen")
    assert [found.state(e) for e in ("carol@acme.example", "bob@acme.example")] == [
        "active",
        "departed",  # Block credential True
    ]


def test_google_console_download_and_okta_user_accounts_report() -> None:
    google = parse(export_text((FIXTURES / "google_console_users.csv").read_bytes()), "g", AS_OF)
    assert google.notes == ()
    found = Roster(google)
    assert managers(found, *CHAIN) == {
        "carol@acme.example": ("active", None),
        "bob@acme.example": ("suspended", "carol@acme.example"),
        "alice@acme.example": ("active", "bob@acme.example"),
    }
    okta = roster("okta_user_accounts.csv")
    assert [
        okta.state(e) for e in ("carol@acme.example", "bob@acme.example", "sue@acme.example")
    ] == [
        "active",
        "departed",
        "suspended",
    ]
    bob = okta.person("bob@acme.example")
    assert bob is not None and bob.name == "Bob Baker"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "is empty: no roster export was saved in it"),
        ("\ufeff\r\n", "is empty: no roster export was saved in it"),
        (
            "<!DOCTYPE html><html><title>Sign In</title>",
            "is an HTML or XML page, not a roster export",
        ),
        (
            "PK\x03\x04\x14\x00",
            "is a zip file (an Excel workbook?), not a roster export: save it as CSV UTF-8",
        ),
    ],
)
def test_a_file_that_is_no_export_at_all_is_one_clear_error(text: str, said: str) -> None:
    for fmt in ("auto", "okta", "csv"):
        with pytest.raises(RosterError) as raised:
            parse(text, "users.csv", AS_OF, fmt)
        assert str(raised.value) == f"users.csv: {said}"


def test_okta_csv_manager_column_and_first_and_last_names() -> None:
    found = roster("okta_manager_names.csv")
    assert managers(found, *CHAIN) == CHAIN
    bob = found.person("bob@acme.example")
    assert bob is not None and bob.name == "Bob Baker"


def test_gam_csv_relations_and_suspended_or_archived_columns() -> None:
    people = parse(export_text((FIXTURES / "google_gam_users.csv").read_bytes()), "g", AS_OF)
    assert people.notes == ()  # suspended and archived say the state
    found = Roster(people)
    assert managers(found, *CHAIN, "arch@acme.example") == {
        "carol@acme.example": ("active", None),
        "bob@acme.example": ("suspended", "carol@acme.example"),  # the second relation
        "alice@acme.example": ("active", "bob@acme.example"),
        "arch@acme.example": ("suspended", "carol@acme.example"),
    }
