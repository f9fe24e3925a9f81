"""IdP roster exports, one pure parser per format, listed in `ROSTER_FORMATS`.

Each parser turns a vendor's documented export shape into `Person` values with one of the
states `active`, `suspended`, `departed`, `not_started`, `leaving` (a leave date after
`as_of`); `unknown` is what the roster answers for anyone it does not list
(shared/reference/conventions.md, section 6). Field names follow the vendors' documentation:
Okta Users API, Entra ID (Microsoft Graph `user`), Google Workspace Directory, SCIM 2.0.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.errors import RosterError
from scanner.model import RosterState

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """Someone an IdP roster lists."""

    id: str  # the IdP's own id (Okta id, Entra object id, SCIM id), else the primary email
    name: str
    emails: frozenset[str]  # lower-cased; the first is in `primary`
    primary: str
    logins: frozenset[str]  # GitHub logins, lower-cased, without @
    state: RosterState
    manager: str | None  # a reference to another person: id, email or login
    source: str
    # The day they left (departed) or will leave (leaving), when the export says (#23).
    leave_date: datetime.date | None = None


Parser = Callable[[str, datetime.date, str], list[Person]]


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RosterError(f"{source}: not valid JSON (line {error.lineno})") from None
    except RecursionError:  # json.loads recurses once per level of nesting (#12)
        raise RosterError(f"{source}: not valid JSON (nested too deeply)") from None


# Exports are untrusted data: a field may hold any JSON type, whatever the vendor documents.
# These two keep a wrong type from reaching code that expects a list or a reference (#12).
def _items(value: Any) -> list[Any]:
    """A list field's items; anything else (a string, a number, an object) has none."""
    return value if isinstance(value, list) else []


def _ref(value: Any) -> str | None:
    """A reference to another person (id, email or login), or None when it is not text."""
    return value if isinstance(value, str) and value.strip() else None


def _list(document: Any, key: str | None, source: str) -> list[dict[str, Any]]:
    items = document.get(key) if key and isinstance(document, dict) else document
    if not isinstance(items, list):
        raise RosterError(
            f"{source}: expected a list of users" + (f" under {key!r}" if key else "")
        )
    return [item for item in items if isinstance(item, dict)]


def _emails(*values: Any) -> tuple[str, frozenset[str]]:
    found = [str(v).strip().lower() for v in values if isinstance(v, str) and "@" in v]
    unique = list(dict.fromkeys(found))
    return (unique[0] if unique else ""), frozenset(unique)


# Windows PowerShell's ConvertTo-Json writes a DateTime as `\/Date(<ms since 1970>)\/`.
_MS_DATE = re.compile(r"/Date\((-?\d{1,15})(?:[+-]\d{4})?\)/")


def _date(value: Any) -> datetime.date | None:
    """An ISO 8601 date or date-time (its day), or PowerShell 5.1's JSON date; else None."""
    if not isinstance(value, str) or not value:
        return None
    if (ms := _MS_DATE.fullmatch(value)) is not None:
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        try:
            return (epoch + datetime.timedelta(milliseconds=int(ms[1]))).date()
        except OverflowError:
            return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _leaving(state: str, leave: datetime.date | None, as_of: datetime.date) -> str:
    if leave is None:
        return state
    return "departed" if leave <= as_of else ("leaving" if state == "active" else state)


# Okta custom profile attributes read as the leave date (a contract's end, a termination),
# in this order; `--roster-columns leave_date=profile.NAME` names another one.
OKTA_LEAVE_ATTRIBUTES = ("terminationDate", "contractEndDate")
_OKTA_STATES = {
    "ACTIVE": "active", "RECOVERY": "active", "LOCKED_OUT": "active",
    "PASSWORD_EXPIRED": "active", "SUSPENDED": "suspended", "DEPROVISIONED": "departed",
    "STAGED": "not_started", "PROVISIONED": "not_started",
}  # fmt: skip


def okta(text: str, as_of: datetime.date, source: str) -> list[Person]:
    """Okta Users API JSON: a list of users with `status` and `profile`."""
    people = []
    for user in _list(_json(text, source), None, source):
        profile: dict[str, Any] = user["profile"] if isinstance(user.get("profile"), dict) else {}
        primary, emails = _emails(profile.get("email"), profile.get("login"),
                                  profile.get("secondEmail"))  # fmt: skip
        name = (
            profile.get("displayName")
            or " ".join(str(profile.get(k, "")) for k in ("firstName", "lastName")).strip()
        )
        state = _OKTA_STATES.get(str(user.get("status", "")).upper(), "unknown")
        # DEPROVISIONED: `statusChanged` is when it happened; else a custom leave attribute.
        leave = _date(user.get("statusChanged")) if state == "departed" else None
        leave = leave or next((d for k in OKTA_LEAVE_ATTRIBUTES
                               if (d := _date(profile.get(k))) is not None), None)  # fmt: skip
        people.append(Person(
            id=str(user.get("id") or primary), name=str(name), emails=emails, primary=primary,
            logins=_logins(profile.get("githubUsername") or profile.get("github_login")),
            state=RosterState(state if state == "departed" else _leaving(state, leave, as_of)),
            manager=_ref(profile.get("managerId")) or _ref(profile.get("manager")),
            source=source, leave_date=leave,
        ))  # fmt: skip
    return people


def entra(text: str, as_of: datetime.date, source: str) -> list[Person]:
    """Microsoft Graph `user` objects under `value` (a list export without it is accepted)."""
    document = _json(text, source)
    users = _list(document, "value" if isinstance(document, dict) else None, source)
    people = []
    for record in users:
        # Get-MgUser | ConvertTo-Json names the properties in PascalCase (UserPrincipalName).
        user = {**{key[:1].lower() + key[1:]: value for key, value in record.items()}, **record}
        proxies = [p.split(":", 1)[1] for p in _items(user.get("proxyAddresses"))
                   if isinstance(p, str) and p.lower().startswith("smtp:")]  # fmt: skip
        primary, emails = _emails(user.get("mail"), user.get("userPrincipalName"),
                                  *_items(user.get("otherMails")), *proxies)  # fmt: skip
        enabled = user.get("accountEnabled")
        state = "departed" if enabled is False else "active"
        leave = _date(user.get("employeeLeaveDateTime"))
        if user.get("deletedDateTime"):
            state, leave = "departed", leave or _date(user.get("deletedDateTime"))
        manager = user.get("manager")
        people.append(Person(
            id=str(user.get("id") or primary), name=str(user.get("displayName") or ""),
            emails=emails, primary=primary, logins=frozenset(),
            state=RosterState(_leaving(state, leave, as_of)),
            manager=_ref(manager.get("id") if isinstance(manager, dict) else manager),
            source=source, leave_date=leave,
        ))  # fmt: skip
    return people


def google(text: str, as_of: datetime.date, source: str) -> list[Person]:
    """Google Workspace Directory `users` (under `users`, or a bare list)."""
    document = _json(text, source)
    people = []
    for user in _list(document, "users" if isinstance(document, dict) else None, source):
        extra = [e.get("address") for e in _items(user.get("emails")) if isinstance(e, dict)]
        primary, emails = _emails(user.get("primaryEmail"), *_items(user.get("aliases")),
                                  *_items(user.get("nonEditableAliases")), *extra)  # fmt: skip
        gone = user.get("suspended") or user.get("archived")
        manager = next((_ref(r.get("value")) for r in _items(user.get("relations"))
                        if isinstance(r, dict) and r.get("type") == "manager"), None)  # fmt: skip
        name = user.get("name", {}).get("fullName") if isinstance(user.get("name"), dict) else ""
        people.append(Person(
            id=str(user.get("id") or primary), name=str(name or ""), emails=emails,
            primary=primary, logins=frozenset(),
            state=RosterState(
                "departed" if user.get("deletionTime") else ("suspended" if gone else "active")
            ),
            manager=manager, source=source, leave_date=_date(user.get("deletionTime")),
        ))  # fmt: skip
    return people


def scim(text: str, as_of: datetime.date, source: str) -> list[Person]:
    """A SCIM 2.0 ListResponse of core Users with the enterprise extension's manager."""
    document = _json(text, source)
    users = _list(document, "Resources" if isinstance(document, dict) else None, source)
    people = []
    for user in users:
        listed = [e.get("value") for e in _items(user.get("emails")) if isinstance(e, dict)]
        primary_first = sorted(
            _items(user.get("emails")), key=lambda e: not (isinstance(e, dict) and e.get("primary"))
        )
        primary, emails = _emails(*[e.get("value") for e in primary_first if isinstance(e, dict)],
                                  user.get("userName"), *listed)  # fmt: skip
        extension: dict[str, Any] = (
            user[SCIM_ENTERPRISE] if isinstance(user.get(SCIM_ENTERPRISE), dict) else {}
        )
        manager = extension.get("manager")
        active = user.get("active", True) is not False
        meta: dict[str, Any] = user["meta"] if isinstance(user.get("meta"), dict) else {}
        people.append(Person(
            id=str(user.get("id") or primary), name=str(user.get("displayName") or ""),
            emails=emails, primary=primary, logins=frozenset(),
            state=RosterState.ACTIVE if active else RosterState.DEPARTED,
            manager=_ref(manager.get("value")) if isinstance(manager, dict) else None,
            source=source,
            # SCIM has no leave date: an inactive user's last change is the best one there is.
            leave_date=None if active else _date(meta.get("lastModified")),
        ))  # fmt: skip
    return people


_CSV_STATES = {"active": "active", "suspended": "suspended", "departed": "departed",
               "deprovisioned": "departed", "terminated": "departed", "inactive": "departed",
               "disabled": "departed", "staged": "not_started", "not_started": "not_started",
               "leaving": "leaving",
               # Entra's "Download users" CSV: `accountEnabled` is True or False.
               "true": "active", "false": "departed"}  # fmt: skip


def plain_csv(
    text: str, as_of: datetime.date, source: str, columns: Mapping[str, str] | None = None
) -> list[Person]:
    """The plain CSV: `email,status,manager,github_login,name,aliases` (a header row).

    `columns` maps our field names to other headers (for Okta or Entra admin exports).
    """
    names = {"email": "email", "status": "status", "manager": "manager",
             "github_login": "github_login", "name": "name", "aliases": "aliases",
             "leave_date": "leave_date", "id": "id", **(columns or {})}  # fmt: skip
    # newline="": the csv module reads line endings itself (a bare CR inside a row is data).
    reader = csv.DictReader(io.StringIO(csv_body(text), newline=""))
    try:
        return _csv_people(reader, names, as_of, source)
    except csv.Error as error:
        raise RosterError(f"{source}: not a valid CSV file (line {reader.line_num + 1}: {error})") \
            from None  # fmt: skip


# Windows PowerShell 5.1's Export-Csv starts with `#TYPE <the objects' .NET type>` unless told
# -NoTypeInformation (the default from PowerShell 6; learn.microsoft.com, Export-Csv).
_TYPE_LINE = re.compile(r"#TYPE [^\r\n]*(?:\r\n|\n|\r)?")


def csv_body(text: str) -> str:
    """A CSV export without what precedes its header row: a byte-order mark, PowerShell's
    `#TYPE` line."""
    text = text.removeprefix("\ufeff")
    match = _TYPE_LINE.match(text)
    return text[match.end() :] if match else text


def _header(headers: Sequence[str], wanted: str, *others: str) -> str:
    """The header that names `wanted`, else the first of `others` one names: the same text, else
    the same letters and digits in any case (`UserPrincipalName` from Get-MgUser, `User
    principal name`, `objectId`/`ObjectId`); `wanted` itself when none is (its column is then
    empty)."""
    for name in (wanted, *others):
        if name in headers:
            return name
        key = _letters(name)
        found = next((header for header in headers if _letters(header) == key), None)
        if found is not None:
            return found
    return wanted


def _letters(name: str) -> str:
    return "".join(char for char in name.casefold() if char.isalnum())


def _csv_people(
    reader: csv.DictReader[str], wanted: Mapping[str, str], as_of: datetime.date, source: str
) -> list[Person]:
    headers = reader.fieldnames or []
    names = {field: _header(headers, header, *_FALLBACK_HEADERS.get(field, ()))
             for field, header in wanted.items()}  # fmt: skip
    if names["email"] not in headers:
        raise RosterError(
            f"{source}: a CSV roster needs a header row with an {wanted['email']!r} column"
        )
    people = []
    for row in reader:
        aliases = (row.get(names["aliases"]) or "").replace(";", " ").split()
        primary, emails = _emails(row.get(names["email"]), *aliases)
        if not primary:
            continue
        status = (row.get(names["status"]) or "").strip().lower()
        state = _CSV_STATES.get(status, _OKTA_STATES.get(status.upper(), "unknown"))
        written = (row.get(names["leave_date"]) or "").strip()
        leave = _date(written)
        if written and leave is None:  # `3/2/2026`: March or February? Never a guess
            raise RosterError(
                f"{source}: line {reader.line_num}: {names['leave_date']} {written[:40]!r} is "
                "not a date nhi reads (YYYY-MM-DD, or an ISO 8601 date and time)"
            )
        # An export's own id (Okta `id`, Entra `objectId`) is what managers point at (#23).
        people.append(Person(
            id=(row.get(names["id"]) or "").strip() or primary,
            name=(row.get(names["name"]) or "").strip(), emails=emails,
            primary=primary, logins=_logins(row.get(names["github_login"])),
            state=RosterState(_leaving(state, leave, as_of)),
            manager=(row.get(names["manager"]) or "").strip() or None, source=source,
            leave_date=leave,
        ))  # fmt: skip
    return people


# Headers tried for a field when the one its format names is missing (Graph PowerShell says Id,
# the admin centre's download objectId).
_FALLBACK_HEADERS = {"id": ("id", "objectId")}
# Our CSV fields, and the headers each CSV export uses for them (`--roster-columns` overrides).
CSV_FIELDS = ("email", "status", "manager", "github_login", "name", "aliases", "leave_date", "id")
CSV_COLUMNS: dict[str, dict[str, str]] = {
    "csv": {},
    # An Okta admin CSV export: profile variable names as headers.
    "okta-csv": {"email": "email", "status": "status", "manager": "managerId",
                 "name": "displayName", "github_login": "githubUsername"},
    # Entra admin centre, Users > Download users: Microsoft's headers (objectId, mail, ...).
    "entra-csv": {"email": "userPrincipalName", "status": "accountEnabled",
                  "manager": "manager", "name": "displayName", "aliases": "mail",
                  "leave_date": "employeeLeaveDateTime", "id": "objectId"},
}  # fmt: skip


def okta_csv(text: str, as_of: datetime.date, source: str) -> list[Person]:
    """An Okta admin CSV export (profile variable names as headers)."""
    return plain_csv(text, as_of, source, CSV_COLUMNS["okta-csv"])


def entra_csv(text: str, as_of: datetime.date, source: str) -> list[Person]:
    """An Entra ID users CSV export from the admin centre."""
    return plain_csv(text, as_of, source, CSV_COLUMNS["entra-csv"])


def _logins(value: Any) -> frozenset[str]:
    if not isinstance(value, str):
        return frozenset()
    return frozenset(v.strip().lstrip("@").lower() for v in value.replace(";", " ").split() if v)


ROSTER_FORMATS: dict[str, Parser] = {
    "csv": plain_csv,
    "entra": entra,
    "entra-csv": entra_csv,
    "google": google,
    "okta": okta,
    "okta-csv": okta_csv,
    "scim": scim,
}
