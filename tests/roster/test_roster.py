"""Every roster format from fixtures shaped like the vendors' documentation."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from scanner.errors import RosterError
from scanner.roster import Roster, detect, normalise, parse

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = datetime.date(2026, 11, 1)


def load(name: str, fmt: str = "auto") -> Roster:
    path = FIXTURES / name
    return Roster(parse(path.read_text(), name, AS_OF, fmt))


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("okta_users.json", "okta"), ("okta.csv", "okta-csv"), ("entra_users.json", "entra"),
     ("entra.csv", "entra-csv"), ("google_users.json", "google"), ("scim_users.json", "scim"),
     ("roster.csv", "csv")],
)  # fmt: skip
def test_formats_are_detected(name: str, fmt: str) -> None:
    assert detect((FIXTURES / name).read_text()) == fmt


def test_okta_states_and_managers() -> None:
    roster = load("okta_users.json")
    states = {ref: roster.state(ref) for ref in (
        "carol@acme.example", "bob@acme.example", "alice@acme.example", "dana@acme.example",
        "erin@acme.example", "frank@acme.example", "nobody@acme.example",
        "alice.archer@gmail.example", "@alice-a", "Alice@ACME.example")}  # fmt: skip
    assert states == {
        "carol@acme.example": "active", "bob@acme.example": "departed",
        "alice@acme.example": "active", "dana@acme.example": "suspended",
        "erin@acme.example": "not_started", "frank@acme.example": "active",
        "nobody@acme.example": "unknown", "alice.archer@gmail.example": "active",
        "@alice-a": "active", "Alice@ACME.example": "active",
    }  # fmt: skip


def test_manager_chains_skip_departed_managers_and_detect_cycles() -> None:
    roster = load("okta_users.json")
    dana = roster.person("dana@acme.example")
    alice = roster.person("alice@acme.example")
    frank = roster.person("frank@acme.example")
    assert dana is not None and alice is not None and frank is not None
    manager, skipped = roster.route(dana)
    assert (manager.primary if manager else None, skipped) == ("alice@acme.example", ())
    manager, skipped = roster.route(alice)  # Bob has left: up to Carol
    assert (manager.primary if manager else None, skipped) == (
        "carol@acme.example",
        ("bob@acme.example (departed)",),
    )
    manager, skipped = roster.route(frank)  # Gus and Hana manage each other, both gone
    assert (manager, skipped) == (
        None,
        (
            "gus@acme.example (departed)",
            "hana@acme.example (departed)",
            "cycle at gus@acme.example",
        ),
    )


def test_okta_csv() -> None:
    roster = load("okta.csv")
    alice = roster.person("@alice-a")
    assert alice is not None and (alice.primary, alice.state) == ("alice@acme.example", "active")
    manager, _ = roster.route(alice)
    assert manager is not None and manager.primary == "carol@acme.example"


def test_entra_accounts_leave_dates_and_proxy_addresses() -> None:
    roster = load("entra_users.json")
    assert [roster.state(r) for r in ("c.chen@acme.example", "carol@acme.onmicrosoft.com",
                                      "bob@acme.example", "alice@acme.example",
                                      "ivan@acme.example")] == [
        "active", "active", "departed", "leaving", "departed"]  # fmt: skip
    ivan = roster.person("ivan@acme.example")
    assert ivan is not None
    manager, skipped = roster.route(ivan)  # Alice leaves on 20 November, Bob has left
    assert (manager.primary if manager else None, skipped) == (
        "carol@acme.example",
        ("alice@acme.example (leaving)", "bob@acme.example (departed)"),
    )


def test_entra_csv_leave_date_in_the_past() -> None:
    roster = load("entra.csv")
    assert (roster.state("bob@acme.example"), roster.state("carol@acme.example")) == (
        "departed",
        "active",
    )


def test_google_suspended_deleted_and_aliases() -> None:
    roster = load("google_users.json")
    assert [roster.state(r) for r in ("cchen@acme.example", "bob@acme.example",
                                      "old@acme.example", "alice@acme.example")] == [
        "active", "suspended", "departed", "active"]  # fmt: skip
    alice = roster.person("alice@acme.example")
    assert alice is not None
    manager, skipped = roster.route(alice)
    assert (manager.primary if manager else None, skipped) == (
        "carol@acme.example",
        ("bob@acme.example (suspended)",),
    )


def test_scim_primary_email_and_enterprise_manager() -> None:
    roster = load("scim_users.json")
    bob = roster.person("bob.personal@example.net")
    assert bob is not None and (bob.primary, bob.state) == ("bob@acme.example", "departed")
    alice = roster.person("alice@acme.example")
    assert alice is not None
    manager, _ = roster.route(alice)
    assert manager is not None and manager.primary == "carol@acme.example"


def test_plain_csv_aliases_logins_noreply_teams_and_people_map() -> None:
    people = parse((FIXTURES / "roster.csv").read_text(), "roster.csv", AS_OF)
    roster = Roster(
        people,
        teams={"@acme/payments": ["@bobb"], "@acme/platform": ["bobb", "carol@acme.example"]},
        people_map={"@old-handle": "alice@acme.example"},
    )
    assert [
        roster.state(r)
        for r in (
            "a@acme.example",
            "bob@old-acme.example",
            "12345+alice-a@users.noreply.github.com",
            "alice-a@users.noreply.github.com",
            "@old-handle",
            "@acme/payments",
            "@acme/platform",
            "@acme/unknown-team",
        )
    ] == ["active", "departed", "active", "active", "active", "departed", "active", "unknown"]


def test_several_rosters_merge_and_the_most_severe_state_wins() -> None:
    okta = parse((FIXTURES / "okta.csv").read_text(), "okta.csv", AS_OF)
    google = parse((FIXTURES / "google_users.json").read_text(), "google.json", AS_OF)
    roster = Roster([*okta, *google])
    carol = roster.person("cchen@acme.example")  # an alias only Google knows
    assert carol is not None and carol.logins == frozenset({"carolc"})
    assert roster.state("bob@acme.example") == "departed"  # Okta departed beats Google suspended


def test_normalise() -> None:
    assert normalise(" <Bob@Example.COM> ") == "bob@example.com"
    assert normalise("41898282+github-actions[bot]@users.noreply.github.com") == (
        "41898282+github-actions[bot]@users.noreply.github.com"
    )
    assert normalise("9919+Octo-Cat@users.noreply.github.com") == "@octo-cat"


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("{not json", "okta", "r.json: not valid JSON (line 1)"),
        ('{"value": 3}', "entra", "r.json: expected a list of users under 'value'"),
        (
            "name,status\nx,active\n",
            "csv",
            "r.json: a CSV roster needs a header row with an 'email' column",
        ),
        (
            '{"something": []}',
            "auto",
            "r.json: cannot tell the roster's format; give --roster-format",
        ),
        ("[]", "ldif", "r.json: unknown roster format 'ldif'"),
        ("[" * 100_000, "okta", "r.json: not valid JSON (nested too deeply)"),
        (  # a date in a machine's locale: 3 February or 2 March?
            "email,status,leave_date\na@acme.example,active,2026-03-02\nb@acme.example,active,3/2/2026\n",
            "csv",
            "r.json: line 3: leave_date '3/2/2026' is not a date nhi reads (YYYY-MM-DD, or an "
            "ISO 8601 date and time)",
        ),
    ],
)
def test_bad_rosters_have_one_clear_message(text: str, fmt: str, message: str) -> None:
    with pytest.raises(RosterError) as caught:
        parse(text, "r.json", AS_OF, fmt)
    assert str(caught.value) == message


def test_the_cli_spells_out_the_roster_formats_and_fields() -> None:
    from scanner.cli import ROSTER_FIELDS, ROSTER_FORMAT_NAMES
    from scanner.roster.formats import CSV_FIELDS, ROSTER_FORMATS

    assert (tuple(sorted(ROSTER_FORMATS)), CSV_FIELDS) == (ROSTER_FORMAT_NAMES, ROSTER_FIELDS)


# An Okta export whose admin renamed the columns: `--roster-columns` maps them.
RENAMED = """\
Username,Primary email,Display name,Status,Manager,GitHub
carol,carol@acme.example,Carol Chen,ACTIVE,,carolc
bob,bob@acme.example,Bob Baker,DEPROVISIONED,carol@acme.example,
"""


def test_roster_columns_rename_a_csv_export() -> None:
    columns = {"email": "Primary email", "status": "Status", "manager": "Manager",
               "name": "Display name", "github_login": "GitHub"}  # fmt: skip
    roster = Roster(parse(RENAMED, "okta.csv", AS_OF, "okta-csv", columns))
    bob = roster.person("bob@acme.example")
    assert bob is not None and (bob.name, bob.state, bob.manager) == (
        "Bob Baker",
        "departed",
        "carol@acme.example",
    )
    assert roster.state("@carolc") == "active"
    with pytest.raises(RosterError) as raised:
        parse('{"value": []}', "x.json", AS_OF, "entra", columns)
    # JSON rosters take dotted paths since #23, but only for the fields a JSON record maps.
    assert str(raised.value) == (
        "x.json: --roster-columns for a JSON roster (entra) takes github_login, id, leave_date, "
        "manager, name, not email, status"
    )


def test_roster_columns_on_the_command_line(tmp_path: Path, capsys) -> None:
    from scanner.cli import main

    # "Primary email" is a header nhi knows (Okta's User Accounts report); this one is not.
    (tmp_path / "okta.csv").write_text(RENAMED.replace("Primary email", "Work mailbox"))
    argv = ["aggregate", str(tmp_path), "--roster", str(tmp_path / "okta.csv"), "--no-db"]
    assert main([*argv, "--roster-columns", "mail=Primary email"]) == 2
    assert "'mail=Primary email': expected FIELD=HEADER with FIELD one of email, status" in (
        capsys.readouterr().err
    )
    assert main([*argv, "--roster-format", "okta-csv"]) == 3
    assert capsys.readouterr().err == (
        f"nhi: error: {tmp_path / 'okta.csv'}: a CSV roster needs a header row with an 'email' "
        "column\n"
    )


def test_fields_of_the_wrong_type_are_ignored() -> None:
    # Found by the fuzzer (#12): a list where a manager reference belongs crashed the lookup,
    # a number where a list of emails belongs crashed the parser.
    okta = (
        '[{"id": "1", "status": "DEPROVISIONED",'
        ' "profile": {"email": "a@x.co", "managerId": ["2"]}}]'
    )
    google = (
        '{"users": [{"id": "g", "primaryEmail": "b@x.co", "emails": 5, "aliases": 7,'
        ' "relations": {"type": "manager"}, "suspended": true}]}'
    )
    entra = (
        '{"value": [{"id": "e", "mail": "c@x.co", "otherMails": 1, "proxyAddresses": 2,'
        ' "manager": 3, "accountEnabled": true}]}'
    )
    scim = '{"Resources": [{"id": "s", "userName": "d@x.co", "emails": "d@x.co", "active": true}]}'
    people = [
        *parse(okta, "o.json", AS_OF, "okta"),
        *parse(google, "g.json", AS_OF, "google"),
        *parse(entra, "e.json", AS_OF, "entra"),
        *parse(scim, "s.json", AS_OF, "scim"),
    ]
    assert [(p.primary, p.state, p.manager) for p in people] == [
        ("a@x.co", "departed", None),
        ("b@x.co", "suspended", None),
        ("c@x.co", "active", None),
        ("d@x.co", "active", None),
    ]
    roster = Roster(people)
    assert [roster.route(p) for p in people] == [(None, ())] * 4
