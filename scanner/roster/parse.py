"""Which roster format a file is in, and one file's people: the format's parser, the
`--roster-columns` mapping (CSV headers, or dotted paths into a JSON record), and the
leaving-soon window."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from scanner.errors import RosterError
from scanner.model import RosterState
from scanner.roster.formats import (
    CSV_COLUMNS,
    ROSTER_FORMATS,
    SCIM_USER,
    Person,
    _date,
    _json,
    _leaving,
    _list,
    _logins,
    _ref,
    csv_body,
    plain_csv,
)


def detect(text: str) -> str:
    """Which format a roster file is in, from its shape."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if not head.startswith(("{", "[")):
        head = csv_body(head)
        first = head.splitlines()[0] if head else ""
        if "userprincipalname" in first.lower().replace(" ", ""):  # any case: Get-MgUser's too
            return "entra-csv"
        if "managerId" in first or "login" in first.split(","):
            return "okta-csv"
        return "csv"
    if SCIM_USER in head or '"Resources"' in head:
        return "scim"
    if '"primaryEmail"' in head:
        return "google"
    if '"userprincipalname"' in head.lower() or '"accountenabled"' in head.lower():
        return "entra"
    if '"profile"' in head:
        return "okta"
    raise RosterError("cannot tell the roster's format; give --roster-format")


def parse(
    text: str,
    source: str,
    as_of: datetime.date,
    fmt: str = "auto",
    columns: Mapping[str, str] | None = None,
    warn_days: int = 30,
) -> list[Person]:
    """People from one roster file; `columns` renames the headers of a CSV roster, or names a
    dotted path into each record of a JSON one. Someone leaving later than `warn_days` after
    `as_of` is still `active` (with their `leave_date`)."""
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
        if columns and name in CSV_COLUMNS:
            people = plain_csv(text, as_of, source, {**CSV_COLUMNS[name], **columns})
        else:
            people = ROSTER_FORMATS[name](text, as_of, source)
            if columns:
                records = _list(_json(text, source), _JSON_LISTS[name], source)
                people = [_mapped(p, r, columns, as_of) for p, r in zip(people, records,
                                                                       strict=True)]  # fmt: skip
        return [_window(p, as_of, warn_days) for p in people]
    except RosterError as error:
        message = str(error)
        raise RosterError(message if message.startswith(source) else f"{source}: {message}") \
            from None  # fmt: skip


# `--roster-columns` for JSON rosters: a dotted path into each user record (#23).
JSON_FIELDS = ("github_login", "id", "leave_date", "manager", "name")
_JSON_LISTS = {"okta": None, "entra": "value", "google": "users", "scim": "Resources"}


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
