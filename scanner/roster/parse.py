"""Which roster format a file is in, and one file's people: the format's parser, the
`--roster-columns` mapping (CSV headers, or dotted paths into a JSON record), and the
leaving-soon window."""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping
from typing import Any

from scanner.errors import RosterError
from scanner.model import RosterState
from scanner.roster.csvs import CSV_COLUMNS, csv_body, delimiter, plain_csv
from scanner.roster.fields import People, Person, _date, _leaving, _logins, _ref
from scanner.roster.formats import ROSTER_FORMATS, SCIM_USER, records

# An export with nobody in it, by the one key each API lists its users under (a bare array:
# only Okta's Users API answers with one).
_EMPTY = re.compile(r'\[\s*\]|\{\s*"(value|users|Resources)"\s*:\s*\[\s*\]\s*\}')
_EMPTY_FORMATS = {None: "okta", "value": "entra", "users": "google", "Resources": "scim"}

# What a roster that is an Excel workbook (a zip) is told, by `parse` and by the file edge.
WORKBOOK = "is a zip file (an Excel workbook?), not a roster export: save it as CSV UTF-8"


def detect(text: str) -> str:
    """Which format a roster file is in, from its shape."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if not head.startswith(("{", "[")):
        head = csv_body(head)
        first = head.splitlines()[0] if head else ""
        headers = [h.strip().strip('"').lower() for h in first.split(delimiter(first))]
        if "userprincipalname" in first.lower().replace(" ", ""):  # any case: Get-MgUser's too
            return "entra-csv"
        if "managerId" in first or "login" in headers:  # Okta's profile names, or its reports
            return "okta-csv"
        return "csv"
    if SCIM_USER in head or '"Resources"' in head:
        return "scim"
    if '"primaryEmail"' in head or '"admin#directory#users"' in head:
        return "google"
    lowered = head.lower()
    if '"userprincipalname"' in lowered or '"accountenabled"' in lowered or '"@odata.' in head:
        return "entra"
    if '"profile"' in head:
        return "okta"
    if (empty := _EMPTY.fullmatch(text.strip().lstrip("\ufeff"))) is not None:
        return _EMPTY_FORMATS[empty[1]]
    raise RosterError("cannot tell the roster's format; give --roster-format")


def parse(
    text: str,
    source: str,
    as_of: datetime.date,
    fmt: str = "auto",
    columns: Mapping[str, str] | None = None,
    warn_days: int = 30,
) -> People:
    """People from one roster file; `columns` renames the headers of a CSV roster, or names a
    dotted path into each record of a JSON one. Someone leaving later than `warn_days` after
    `as_of` is still `active` (with their `leave_date`). What the file says about itself (a
    first page only, no status, records with no address) is in the result's `notes`."""
    head = text.lstrip("\ufeff \t\r\n")
    if not head:
        raise RosterError(f"{source}: is empty: no roster export was saved in it")
    if head.startswith("<"):  # what a browser saves when the download needed a sign-in
        raise RosterError(f"{source}: is an HTML or XML page, not a roster export")
    if head.startswith("PK\x03\x04"):
        raise RosterError(f"{source}: {WORKBOOK}")
    try:
        name = detect(text) if fmt == "auto" else fmt
    except RosterError as error:
        raise RosterError(f"{source}: {error}") from None
    if name not in ROSTER_FORMATS:
        raise RosterError(f"{source}: unknown roster format {name!r}")
    if columns and name not in CSV_COLUMNS:
        wrong = sorted(set(columns) - set(JSON_FIELDS))
        if wrong:
            raise RosterError(f"{source}: --roster-columns for a JSON roster ({name}) takes "
                              f"{', '.join(JSON_FIELDS)}, not {', '.join(wrong)}")  # fmt: skip
    try:
        found: list[Person]
        if columns and name in CSV_COLUMNS:
            found = plain_csv(text, as_of, source, {**CSV_COLUMNS[name], **columns}, name)
        else:
            found = ROSTER_FORMATS[name](text, as_of, source)
        notes = found.notes if isinstance(found, People) else ()
        if columns and name not in CSV_COLUMNS:
            users = records(name, text, source)[0]
            found = [_mapped(p, r, columns, as_of) for p, r in zip(found, users, strict=True)]
        return _addressed([_window(p, as_of, warn_days) for p in found], notes, name, source)
    except RosterError as error:
        message = str(error)
        raise RosterError(message if message.startswith(source) else f"{source}: {message}") \
            from None  # fmt: skip


# Where each format looks for a person's address, for the refusal of a file with none.
_ADDRESSES = {
    "okta": "profile.email, profile.login or profile.secondEmail",
    "entra": "mail, userPrincipalName, otherMails or proxyAddresses",
    "google": "primaryEmail, aliases or emails",
    "scim": "emails or userName",
}


def _addressed(people: list[Person], notes: tuple[str, ...], name: str, source: str) -> People:
    """The people with an address. A record without one can be matched to nothing, and must
    never be merged with another on the empty address: it is left out and counted once. A JSON
    export where no record has one is the wrong export (or format), and is refused; a CSV's
    rows are only counted, as its columns are the user's to name (`--roster-columns`)."""
    kept = [p for p in people if p.primary]
    lost = [p for p in people if not p.primary]
    if lost and not kept and name in _ADDRESSES:
        where = _ADDRESSES[name]
        raise RosterError(f"{source}: none of its {len(lost)} users has an email address in "
                          f"{where}: is it the export the {name} format reads?")  # fmt: skip
    if lost:
        named = ", ".join(p.name or p.id for p in lost[:3]) + (", ..." if len(lost) > 3 else "")
        notes = (*notes, f"{source}: {len(lost)} of its users have no email address ({named}): "
                 "no report can name them, so they are left out")  # fmt: skip
    return People(kept, notes)


# `--roster-columns` for JSON rosters: a dotted path into each user record (#23).
JSON_FIELDS = ("github_login", "id", "leave_date", "manager", "name")


def _path(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _mapped(
    person: Person, record: dict[str, Any], columns: Mapping[str, str], as_of: datetime.date
) -> Person:
    """`person` with the fields `columns` points at in its JSON `record`."""
    found = {field: _path(record, path) for field, path in columns.items()}
    changes: dict[str, Any] = {}
    if (leave := _date(found.get("leave_date"))) is not None:
        changes["leave_date"] = leave
        if person.state in ("active", "leaving"):
            changes["state"] = _leaving("active", leave, as_of)
    if (manager := _ref(found.get("manager"))) is not None:
        changes["manager"] = manager
    if (name := _ref(found.get("name"))) is not None:
        changes["name"] = name
    if (ident := _ref(found.get("id"))) is not None:
        changes["id"] = ident
    if logins := _logins(found.get("github_login")):
        changes["logins"] = person.logins | logins
    return dataclasses.replace(person, **changes)


def _window(person: Person, as_of: datetime.date, warn_days: int) -> Person:
    """Leaving beyond the warning window is not news yet: still `active` (#23)."""
    if person.state != "leaving" or person.leave_date is None:
        return person
    if (person.leave_date - as_of).days <= warn_days:
        return person
    return dataclasses.replace(person, state=RosterState.ACTIVE)
