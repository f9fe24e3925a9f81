"""Rosters shaped as the IdPs really export them (#23): fixtures in fixtures/README.md."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from scanner.decode import export_text
from scanner.roster import Roster, normalise, parse

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = datetime.date(2026, 11, 1)


def people(*names: str, columns: dict[str, str] | None = None, warn_days: int = 30):
    found = []
    for name in names:
        text = export_text((FIXTURES / name).read_bytes())  # as `nhi aggregate` reads it
        found += parse(text, name, AS_OF, "auto", columns, warn_days)
    return found


def summary(roster: Roster, reference: str) -> tuple[str, str, str | None]:
    person = roster.person(reference)
    assert person is not None, reference
    day = person.leave_date.isoformat() if person.leave_date else None
    return person.id, roster.state(reference), day


def test_okta_list_leaves_out_deprovisioned_people_the_search_export_has_them() -> None:
    listed = Roster(people("okta_list.json"))
    assert listed.state("bob@acme.example") == "unknown"
    roster = Roster(people("okta_list.json", "okta_deprovisioned.json"))
    assert summary(roster, "bob@acme.example") == ("00u2", "departed", "2026-03-02")
    assert summary(roster, "@bobb") == ("00u2", "departed", "2026-03-02")
    alice = roster.person("alice@acme.example")
    assert alice is not None
    manager, skipped = roster.route(alice)
    assert (manager.primary if manager else None, skipped) == (
        "carol@acme.example",
        ("bob@acme.example (departed)",),
    )


def test_okta_custom_leave_attributes_and_the_warning_window() -> None:
    roster = Roster(people("okta_list.json"))
    # contractEndDate in 14 days: leaving; terminationDate in 4 months: still active.
    assert summary(roster, "zoe@acme.example") == ("00u9", "leaving", "2026-11-15")
    assert summary(roster, "yann@acme.example") == ("00u10", "active", "2027-03-01")
    wide = Roster(people("okta_list.json", warn_days=200))
    assert wide.state("yann@acme.example") == "leaving"
    narrow = Roster(people("okta_list.json", warn_days=7))
    assert narrow.state("zoe@acme.example") == "active"


def test_okta_csv_manager_ids_resolve_through_the_id_column() -> None:
    roster = Roster(people("okta_export.csv"))
    assert summary(roster, "00u2") == ("00u2", "departed", None)
    alice = roster.person("@alice-a")
    assert alice is not None and alice.manager == "00u2"
    manager, skipped = roster.route(alice)
    assert (manager.primary if manager else None, skipped) == (
        "carol@acme.example",
        ("bob@acme.example (departed)",),
    )


def test_entra_admin_centre_download_with_microsofts_headers() -> None:
    roster = Roster(people("entra_download.csv"))
    assert [summary(roster, r) for r in ("carol@acme.example", "bob@acme.onmicrosoft.com")] == [
        ("6f1f0c3e-0000-4000-8000-000000000001", "active", None),
        ("6f1f0c3e-0000-4000-8000-000000000002", "departed", None),
    ]
    carol = roster.person("carol@acme.onmicrosoft.com")
    assert carol is not None and carol.name == "Carol Chen"


def test_windows_powershell_exports_of_entra_users() -> None:
    """Get-MgUser piped to Export-Csv (a BOM, the `#TYPE` line, PascalCase headers) and to
    ConvertTo-Json | Out-File (UTF-16, PascalCase, `\\/Date(ms)\\/`) read as the same people."""
    expected = [
        ("6f1f0c3e-0000-4000-8000-000000000001", "active"),
        ("6f1f0c3e-0000-4000-8000-000000000002", "departed"),
        ("6f1f0c3e-0000-4000-8000-000000000003", "active"),
    ]
    for name in ("entra_powershell.csv", "entra_powershell.json"):
        roster = Roster(people(name))
        found = [summary(roster, r)[:2] for r in ("carol@acme.onmicrosoft.com",
                 "bob@acme.example", "dana@acme.onmicrosoft.com")]  # fmt: skip
        if name.endswith(".json"):  # the CSV export has no leave date column
            expected = [expected[0], expected[1], (expected[2][0], "leaving")]
        assert found == expected, name
        assert roster.person("carol@acme.example").name == "Carol Chen"  # type: ignore[union-attr]
    json_roster = Roster(people("entra_powershell.json"))
    assert summary(json_roster, "carol.chen@acme.example")[0].endswith("0001")  # a proxy address
    assert [summary(json_roster, r)[2] for r in ("bob@acme.example", "dana@acme.onmicrosoft.com")
            ] == ["2026-03-02", "2026-11-15"]  # fmt: skip


def test_a_csv_saved_by_excel_and_the_same_export_read_by_nhi_aggregate(tmp_path) -> None:
    """A byte-order mark is no part of the first header; a UTF-16 file reads through the same
    path `nhi aggregate --roster` takes."""
    roster = Roster(people("excel_roster.csv"))
    assert summary(roster, "@bobb") == ("bob@acme.example", "departed", None)
    from scanner.aggregate import inputs

    read = inputs.people([FIXTURES / "entra_powershell.json", FIXTURES / "excel_roster.csv"],
                         as_of=AS_OF)  # fmt: skip
    states = (read.state("bob@acme.onmicrosoft.com"), read.state("@carol-c"))
    assert states == ("departed", "active")


def test_every_id_of_every_export_stays_indexed_after_merging() -> None:
    """Ivan is only in Entra; his manager is Entra's `e-alice`, whom Okta knows as 00u3."""
    roster = Roster(people("okta_list.json", "okta_deprovisioned.json", "entra_users.json"))
    assert roster.person("e-alice") is roster.person("00u3")
    ivan = roster.person("ivan@acme.example")
    assert ivan is not None
    manager, skipped = roster.route(ivan)
    assert (manager.primary if manager else None, skipped) == (
        "carol@acme.example",
        ("alice@acme.example (leaving)", "bob@acme.example (departed)"),
    )
    assert summary(roster, "alice@acme.example") == ("00u3", "leaving", "2026-11-20")


def test_a_broken_chain_says_why() -> None:
    roster = Roster(people("okta_list.json", "okta_deprovisioned.json"))
    gus = roster.person("gus@acme.example")
    assert gus is not None
    assert roster.route(gus) == (None, ("manager E1001 is in no roster",))
    only_gone = Roster(people("okta_deprovisioned.json"))
    bob = only_gone.person("bob@acme.example")
    assert bob is not None and only_gone.route(bob) == (None, ("manager 00u1 is in no roster",))


def test_roster_columns_point_into_json_records() -> None:
    columns = {"leave_date": "profile.terminationDate", "manager": "profile.employeeNumber"}
    roster = Roster(people("okta_list.json", columns=columns))
    assert summary(roster, "yann@acme.example") == ("00u10", "active", "2027-03-01")
    carol = roster.person("carol@acme.example")
    assert carol is not None and carol.manager == "E1000"
    roster = Roster(people("okta_list.json", columns={"leave_date": "profile.terminationDate"},
                           warn_days=365))  # fmt: skip
    assert roster.state("yann@acme.example") == "leaving"


TWO_ACCOUNTS = [
    '{"id": "00uC", "status": "DEPROVISIONED", "statusChanged": "2026-01-31T00:00:00.000Z",'
    ' "profile": {"login": "alice.contractor@acme.example", "email": "alice@acme.example",'
    ' "managerId": "00u1"}}',
    '{"id": "00u3", "status": "ACTIVE", "profile": {"login": "alice@acme.example",'
    ' "email": "alice@acme.example", "githubUsername": "alice-a", "managerId": "00u1"}}',
]


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_two_accounts_sharing_an_address_the_active_one_wins(order: tuple[int, int]) -> None:
    text = "[" + ",".join(TWO_ACCOUNTS[i] for i in order) + "]"
    roster = Roster(parse(text, "okta.json", AS_OF, "okta"))
    assert summary(roster, "alice@acme.example") == ("00u3", "active", None)
    assert roster.state("alice.contractor@acme.example") == "active"
    assert roster.state("00uC") == "active"
    assert roster.merges() == [
        "alice@acme.example: accounts 00u3 (active), 00uC (departed) of okta.json share this "
        "address; 00u3 (active) counts"
    ]


def test_people_map_keys_as_logins_at_logins_and_noreply_addresses() -> None:
    roster = Roster(
        people("okta_list.json"),
        people_map={"zed": "alice@acme.example", "@zed2": "carol@acme.example",
                    "777+zed3@users.noreply.github.com": "zoe@acme.example"},
    )  # fmt: skip
    found = [roster.person(r) for r in ("@zed", "zed@users.noreply.github.com", "@zed2", "@zed3")]
    assert [p.primary if p else None for p in found] == [
        "alice@acme.example",
        "alice@acme.example",
        "carol@acme.example",
        "zoe@acme.example",
    ]


def test_emu_noreply_addresses_map_to_the_login() -> None:
    assert normalise("12345+alice_acme@users.noreply.github.com") == "@alice_acme"
    assert normalise("alice_acme@users.noreply.github.com") == "@alice_acme"


def test_a_team_whose_members_are_in_no_roster_is_unknown_not_departed() -> None:
    roster = Roster(
        people("okta_list.json", "okta_deprovisioned.json"),
        teams={"@acme/ghosts": ["nobody-here", "x@elsewhere.example"],
               "@acme/gone": ["bobb", "nobody-here"], "@acme/live": ["bobb", "carolc"],
               "@acme/empty": []},
    )  # fmt: skip
    assert [roster.state(t) for t in ("@acme/ghosts", "@acme/gone", "@acme/live",
                                      "@acme/empty")] == [
        "unknown", "departed", "active", "departed"]  # fmt: skip


def test_every_format_keeps_the_departure_date() -> None:
    """Okta `statusChanged`, Entra `employeeLeaveDateTime` then `deletedDateTime`, Google
    `deletionTime`, SCIM `meta.lastModified` of an inactive user, CSV `leave_date`."""
    found = {
        (p.source, p.primary): (p.state, p.leave_date.isoformat() if p.leave_date else None)
        for p in people("okta_deprovisioned.json", "entra_users.json", "google_users.json",
                        "scim_users.json", "entra.csv")
    }  # fmt: skip
    assert {k: v for k, v in found.items() if v[1] is not None} == {
        ("okta_deprovisioned.json", "bob@acme.example"): ("departed", "2026-03-02"),
        ("okta_deprovisioned.json", "gus@acme.example"): ("departed", "2026-05-10"),
        ("entra_users.json", "alice@acme.example"): ("leaving", "2026-11-20"),
        ("entra_users.json", "gus@acme.example"): ("departed", "2026-05-10"),
        ("entra_users.json", "ivan@acme.example"): ("departed", "2026-10-01"),
        ("google_users.json", "old@acme.example"): ("departed", "2026-01-05"),
        ("scim_users.json", "bob@acme.example"): ("departed", "2026-03-02"),
        ("entra.csv", "bob@acme.example"): ("departed", "2026-03-02"),
    }


def test_json_roster_columns_that_point_at_nothing_or_the_wrong_type() -> None:
    text = (
        '[{"id": "1", "status": "ACTIVE", "profile": {"email": "a@x.co", "end": ["2026-11-02"],'
        ' "boss": {"id": 2}, "gh": 5}}]'
    )
    columns = {"leave_date": "profile.end", "manager": "profile.boss.id", "github_login": "gh",
               "name": "profile.missing.deeper"}  # fmt: skip
    (person,) = parse(text, "o.json", AS_OF, "okta", columns)
    assert (person.state, person.leave_date, person.manager, person.logins, person.name) == (
        "active", None, None, frozenset(), ""
    )  # fmt: skip


def test_a_chain_that_ends_at_a_departed_person_says_so() -> None:
    text = (
        "email,status,manager\na@x.co,departed,b@x.co\nb@x.co,suspended,c@x.co\nc@x.co,departed,\n"
    )
    roster = Roster(parse(text, "r.csv", AS_OF, "csv"))
    a = roster.person("a@x.co")
    assert a is not None
    assert roster.route(a) == (
        None,
        ("b@x.co (suspended)", "c@x.co (departed)", "manager chain ends at a departed person"),
    )


def test_json_roster_columns_for_name_id_and_login() -> None:
    text = (
        '{"users": [{"id": "g9", "primaryEmail": "a@x.co",'
        ' "customSchemas": {"HR": {"n": "Ann", "eid": "E9", "gh": "ann-a"}}}]}'
    )
    columns = {"name": "customSchemas.HR.n", "id": "customSchemas.HR.eid",
               "github_login": "customSchemas.HR.gh"}  # fmt: skip
    (person,) = parse(text, "g.json", AS_OF, "google", columns)
    assert (person.name, person.id, person.logins) == ("Ann", "E9", frozenset({"ann-a"}))
