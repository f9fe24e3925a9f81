"""What real exports leave out (the tester's findings on #23): records with no address, a
status field the export did not select, a first page only, empty exports, display names where
a reference should be. Fixtures, with the vendor docs they follow, in fixtures/README.md."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from scanner.decode import export_text
from scanner.errors import RosterError
from scanner.model import RosterState
from scanner.roster import People, Person, Roster, detect, parse
from scanner.roster.notes import roster_notes

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = datetime.date(2026, 11, 1)


def read(name: str) -> People:
    return parse(export_text((FIXTURES / name).read_bytes()), name, AS_OF)


def states(people: list[Person]) -> list[tuple[str, str]]:
    return [(p.primary, p.state) for p in people]


def test_users_without_an_address_are_counted_once_and_never_merged() -> None:
    """Frank and Heidi have only a `userName` (RFC 7643 requires no email): before, both had
    the empty address, were merged, and Heidi's departure was lost in Frank's account."""
    people = read("scim_usernames_only.json")
    assert states(people) == [("carol@acme.example", "active"), ("erin@acme.example", "unknown")]
    assert people.notes == (
        "scim_usernames_only.json: 2 of its users have no email address (Frank Fox, Heidi "
        "Hall): no report can name them, so they are left out",
    )
    assert Roster(people).merges() == []
    nobody = [Person(id=i, name="", emails=frozenset(), primary="", logins=frozenset(),
                     state=RosterState.ACTIVE, manager=None, source="x") for i in "ab"]  # fmt: skip
    assert (len(Roster(nobody)), Roster(nobody).merges(), Roster(nobody).state("")) == (
        0, [], "unknown")  # fmt: skip


def test_a_file_whose_users_have_no_address_at_all_is_refused() -> None:
    with pytest.raises(RosterError) as error:
        read("scim_no_addresses.json")
    assert str(error.value) == (
        "scim_no_addresses.json: none of its 2 users has an email address in emails or "
        "userName: is it the export the scim format reads?"
    )


def test_a_scim_user_without_active_is_unknown() -> None:
    """RFC 7643 section 4.1.1 gives `active` no default value."""
    roster = Roster(read("scim_usernames_only.json"))
    assert (roster.state("erin@acme.example"), roster.state("carol@acme.example")) == (
        "unknown", "active")  # fmt: skip


def test_graph_users_without_select_have_no_account_enabled_so_state_is_unknown() -> None:
    people = read("entra_default_select.json")
    assert states(people) == [("carol@acme.example", "unknown"), ("bob@acme.example", "unknown")]
    assert people.notes[0] == (
        "entra_default_select.json: 2 of its 2 users have no accountEnabled (Graph returns it "
        "only when asked for), so their state is unknown: export GET /users?$select=id,"
        "displayName,mail,userPrincipalName,otherMails,proxyAddresses,accountEnabled,"
        "employeeLeaveDateTime,deletedDateTime&$expand=manager"
    )


def test_an_entra_csv_without_account_enabled_is_unknown_and_its_people_no_strangers() -> None:
    people = read("entra_no_status.csv")
    assert states(people) == [("carol@acme.onmicrosoft.com", "unknown"),
                              ("bob@acme.onmicrosoft.com", "unknown")]  # fmt: skip
    assert people.notes == (
        "entra_no_status.csv: has no 'accountEnabled' column, so the state of its 2 people is "
        "unknown: export accountEnabled too (the admin centre's Download users has it; "
        "Get-MgUser -All -Property Id,DisplayName,Mail,UserPrincipalName,AccountEnabled)",
    )
    roster = Roster(people)
    notes = roster_notes(roster, {"entra_no_status.csv": ("entra-csv", people)},
                         ["bob@acme.example", "zed@elsewhere.example"])  # fmt: skip
    assert "people no roster knows (zed@elsewhere.example)" in notes[-1]
    assert notes[-1].startswith("entra_no_status.csv: nobody in this roster has left, yet the "
                                "reports name 1 people")  # fmt: skip


def test_okta_admin_console_status_labels() -> None:
    """The Password Health report's labels (help.okta.com, "About user account status")."""
    assert states(read("okta_password_health.csv")) == [
        ("carol@acme.example", "active"),
        ("bob@acme.example", "departed"),
        ("dana@acme.example", "suspended"),
        ("erin@acme.example", "active"),
        ("frank@acme.example", "not_started"),
        ("gus@acme.example", "not_started"),
        ("heidi@acme.example", "active"),
        ("ivan@acme.example", "active"),
    ]
    assert detect((FIXTURES / "okta_password_health.csv").read_text()) == "okta-csv"


def test_a_soft_deleted_entra_user_without_mail_is_found_by_the_upn_without_its_prefix() -> None:
    (heidi,) = read("entra_deleted.json")
    assert (heidi.primary, heidi.state, heidi.leave_date) == (
        "heidi@acme.example", "departed", datetime.date(2026, 3, 2))  # fmt: skip


def test_nobody_has_left_is_judged_over_every_roster_given() -> None:
    listed, gone = read("okta_list.json"), read("okta_deprovisioned.json")
    both = {"okta_list.json": ("okta", listed), "okta_deprovisioned.json": ("okta", gone)}
    strangers = ["zed@elsewhere.example"]
    assert roster_notes(Roster([*listed, *gone]), both, strangers) == ()
    alone = roster_notes(Roster(listed), {"okta_list.json": ("okta", listed)}, strangers)
    assert alone == (
        "okta_list.json: nobody in this roster has left, yet the reports name 1 people no "
        "roster knows (zed@elsewhere.example); their identities reach no manager. Okta's GET "
        "/api/v1/users leaves out DEPROVISIONED users: add the export of search=status eq "
        '"DEPROVISIONED" (another --roster).',
    )


@pytest.mark.parametrize(
    ("name", "sign", "how"),
    [
        ("entra_default_select.json", "@odata.nextLink", "follow @odata.nextLink"),
        ("scim_first_page.json", "2 of totalResults 250", "page with startIndex and count"),
        ("google_first_page.json", "nextPageToken", "ask again with pageToken"),
    ],
)
def test_a_first_page_says_the_other_pages_are_missing(name: str, sign: str, how: str) -> None:
    people = read(name)
    assert people.notes[-1] == (
        f"{name}: holds one page of a longer list ({sign}): people on the other pages are "
        f"unknown unless those pages are given too ({how}, one --roster per page)"
    )
    assert roster_notes(Roster(people), {name: ("x", people)}, []) == people.notes


def test_entra_csv_guests_and_alternate_email_addresses() -> None:
    carol, erin = read("entra_download_guest.csv")
    assert (carol.primary, sorted(carol.emails)) == ("carol@acme.onmicrosoft.com", [
        "carol.chen@home.example", "carol@acme.example", "carol@acme.onmicrosoft.com"])  # fmt: skip
    assert (erin.primary, erin.state) == ("erin@partner.example", "active")
    assert "erin_partner.example#ext#@acme.onmicrosoft.com" in erin.emails


def test_okta_manager_display_names_match_names_never_reported_as_references() -> None:
    roster = Roster(read("okta_manager_names.json"))
    dana, erin = roster.person("dana@acme.example"), roster.person("erin@acme.example")
    assert dana is not None and erin is not None
    manager, skipped = roster.route(dana)
    assert (manager.primary if manager else None, skipped) == ("carol@acme.example", ())
    assert roster.route(erin) == (
        None,
        ("the manager's name 'Mallory Manager' is no one's name in the rosters",),
    )


def test_line_numbers_count_the_powershell_type_line() -> None:
    with pytest.raises(RosterError) as error:
        read("entra_powershell_locale.csv")
    assert str(error.value) == (
        "entra_powershell_locale.csv: line 4: EmployeeLeaveDateTime '3/2/2026 5:00:00 PM' is not "
        "a date nhi reads (YYYY-MM-DD, or an ISO 8601 date and time)"
    )


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("okta_deprovisioned_empty.json", "okta"),
        ("entra_deleted_empty.json", "entra"),
        ("google_deleted_empty.json", "google"),
    ],
)
def test_an_empty_export_is_an_empty_roster(name: str, fmt: str) -> None:
    assert detect((FIXTURES / name).read_text()) == fmt
    people = read(name)
    assert (list(people), people.notes) == ([], ())


def test_the_readme_asks_for_both_google_exports() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| Google Workspace"))
    assert "`users.list` **and** `users.list?showDeleted=true`" in row
