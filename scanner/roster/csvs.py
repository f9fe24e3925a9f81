"""The CSV roster exports: our plain CSV, and the Okta and Entra admin exports read through a
mapping of our fields to their headers (`--roster-columns` overrides one). One pure parser
over the CSV text; the format's name picks the headers and the hints its notes give."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Mapping, Sequence

from scanner.errors import RosterError
from scanner.model import RosterState
from scanner.roster.fields import OKTA_STATES, People, Person, _date, _emails, _leaving, _logins

_CSV_STATES = {"active": "active", "suspended": "suspended", "departed": "departed",
               "deprovisioned": "departed", "terminated": "departed", "inactive": "departed",
               "disabled": "departed", "staged": "not_started", "not_started": "not_started",
               "leaving": "leaving", "archived": "suspended",
               # Entra's "Download users" CSV: `accountEnabled` is True or False.
               "true": "active", "false": "departed"}  # fmt: skip

# Where to find the status a CSV export lacks, per format.
_STATUS_HINTS = {
    "entra-csv": "export accountEnabled too (the admin centre's Download users has it; "
    "Get-MgUser -All -Property Id,DisplayName,Mail,UserPrincipalName,AccountEnabled)",
    "okta-csv": "export the users' status too",
    "csv": "add a status column",
}


def plain_csv(
    text: str,
    as_of: datetime.date,
    source: str,
    columns: Mapping[str, str] | None = None,
    fmt: str = "csv",
) -> People:
    """The plain CSV: `email,status,manager,github_login,name,aliases` (a header row).

    `columns` maps our field names to other headers (for Okta or Entra admin exports); `fmt`
    is the export's format, for the headers it also reads and the hints its notes give.
    """
    names = {"email": "email", "status": "status", "manager": "manager",
             "github_login": "github_login", "name": "name", "aliases": "aliases",
             "leave_date": "leave_date", "id": "id", **(columns or {})}  # fmt: skip
    # newline="": the csv module reads line endings itself (a bare CR inside a row is data).
    body = csv_body(text)
    reader = csv.DictReader(io.StringIO(body, newline=""), delimiter=delimiter(body))
    # Line numbers count the lines `csv_body` took off (a `#TYPE` line), as an editor shows.
    text = text.removeprefix("\ufeff")
    skipped = len(text[: len(text) - len(body)].splitlines())
    try:
        return _csv_people(reader, names, as_of, source, fmt, skipped)
    except csv.Error as error:
        line = reader.line_num + 1 + skipped
        raise RosterError(f"{source}: not a valid CSV file (line {line}: {error})") from None


# Windows PowerShell 5.1's Export-Csv starts with `#TYPE <the objects' .NET type>` unless told
# -NoTypeInformation (the default from PowerShell 6; learn.microsoft.com, Export-Csv).
_TYPE_LINE = re.compile(r"#TYPE [^\r\n]*(?:\r\n|\n|\r)?")


def csv_body(text: str) -> str:
    """A CSV export without what precedes its header row: a byte-order mark, PowerShell's
    `#TYPE` line."""
    text = text.removeprefix("\ufeff")
    match = _TYPE_LINE.match(text)
    return text[match.end() :] if match else text


_QUOTED = re.compile(r'"[^"]*"')
_RELATION = re.compile(r"relations\.\d+\.type")


def _related(row: Mapping[str, str | None], relations: Sequence[tuple[str, str]]) -> str:
    """The manager among a Google user's relations (Directory API `relations`, type manager)."""
    return next((value for kind, where in relations
                 if (row.get(kind) or "").strip().lower() == "manager"
                 and (value := (row.get(where) or "").strip())), "")  # fmt: skip


def delimiter(body: str) -> str:
    """The separator of a CSV export, from its header row: a comma, else the semicolon Excel
    writes where the decimal separator is a comma (most of Europe), or the tab of its
    "Unicode Text" (support.microsoft.com, "Import or export text (.txt or .csv) files")."""
    first = _QUOTED.sub("", body[: body.find("\n") if "\n" in body else len(body)])
    return max((",", ";", "\t"), key=first.count)  # a tie (one column): a comma


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


_NOTE = re.compile(r"\[[^\]]*\]|\([^)]*\)")


def _letters(name: str) -> str:
    """A header's letters and digits, lower-cased, without the notes Google's export adds in
    brackets (`Email Address [Required]`, `Status [READ ONLY]`)."""
    return "".join(char for char in _NOTE.sub("", name).casefold() if char.isalnum())


def _csv_people(
    reader: csv.DictReader[str],
    wanted: Mapping[str, str],
    as_of: datetime.date,
    source: str,
    fmt: str,
    skipped: int,
) -> People:
    headers = reader.fieldnames or []
    names = {field: _header(headers, header, *_FALLBACK_HEADERS.get(field, ()))
             for field, header in wanted.items()}  # fmt: skip
    if names["email"] not in headers:
        raise RosterError(
            f"{source}: a CSV roster needs a header row with an {wanted['email']!r} column"
        )
    more = (_header(headers, h, h) for h in _MORE_ALIASES.get(fmt, ()))
    alias_headers = [names["aliases"], *(h for h in more if h in headers)]
    # No status column: a yes/no column may say it (Block credential, suspended, archived).
    flags = [] if names["status"] in headers else \
        [(h, _FLAGS[_letters(h)]) for h in headers if _letters(h) in _FLAGS]  # fmt: skip
    # No name column: the first and last names (Okta's firstName, Google's First Name [Required]).
    parts = (_header(headers, part, part) for part in ("firstName", "lastName"))
    split_name = [] if names["name"] in headers else [h for h in parts if h in headers]
    # GAM's `print users relations`: relations.N.type and relations.N.value columns.
    relations = [] if names["manager"] in headers else \
        [(h, f"{h[:-5]}.value") for h in headers if _RELATION.fullmatch(h)]  # fmt: skip
    people = []
    for row in reader:
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a row of empty cells (Excel leaves them below a table)
        aliases = [a for h in alias_headers for a in _addresses(row.get(h) or "")]
        primary, emails = _emails(row.get(names["email"]), *aliases)
        status = (row.get(names["status"]) or "").strip().lower()
        state = _CSV_STATES.get(status, OKTA_STATES.get(status.upper(), "unknown"))
        if status in _YES_NO and _letters(names["status"]).endswith("enabled"):
            state = "active" if _YES_NO[status] else "departed"  # Account enabled: Yes/No
        for header, (when_yes, when_no) in flags:
            said = _YES_NO.get((row.get(header) or "").strip().lower())
            if said is not None:
                found = when_yes if said else when_no
                state = found if state in ("unknown", "active") else state
        written = (row.get(names["leave_date"]) or "").strip()
        leave = _date(written)
        if written and leave is None:  # `3/2/2026`: March or February? Never a guess
            raise RosterError(
                f"{source}: line {reader.line_num + skipped}: {names['leave_date']} "
                f"{written[:40]!r} is not a date nhi reads (YYYY-MM-DD, or an ISO 8601 date "
                "and time)"
            )
        # An export's own id (Okta `id`, Entra `objectId`) is what managers point at (#23).
        people.append(Person(
            id=(row.get(names["id"]) or "").strip() or primary,
            name=(row.get(names["name"]) or "").strip()
            or " ".join(v for h in split_name if (v := (row.get(h) or "").strip())),
            emails=emails,
            primary=primary, logins=_logins(row.get(names["github_login"])),
            state=RosterState(_leaving(state, leave, as_of)),
            manager=(row.get(names["manager"]) or "").strip() or _related(row, relations) or None,
            source=source,
            leave_date=leave,
        ))  # fmt: skip
    notes = []
    if people and names["status"] not in headers and not flags:
        hint = _STATUS_HINTS.get(fmt, _STATUS_HINTS["csv"])
        notes.append(f"{source}: has no {wanted['status']!r} column, so the state of its "
                     f"{len(people)} people is unknown: {hint}")  # fmt: skip
    return People(people, notes)


# Headers tried for a field when the one its format names is missing (Graph PowerShell says Id,
# the admin centre's download objectId; Okta's Password Health report says Login and User).
# Google's admin console download says Email Address and Manager Email, GAM primaryEmail, the
# Microsoft 365 admin centre's Export users Display name and User principal name, Okta's User
# Accounts report Okta username, Primary email, Okta user status and User fullname.
_FALLBACK_HEADERS = {
    "id": ("id", "objectId", "userId"),
    "email": ("login", "emailAddress", "primaryEmail", "oktaUsername", "userPrincipalName"),
    "name": ("user", "displayName", "userFullname", "fullName"),
    "status": ("oktaUserStatus", "userStatus", "accountStatus"),
    "manager": ("managerEmail", "manager"),
}
# Columns that say yes or no to one question, read when an export has no status column:
# the state a yes gives, and the state a no gives.
_FLAGS = {"blockcredential": ("departed", "active"), "blocksignin": ("departed", "active"),
          "accountenabled": ("active", "departed"), "suspended": ("suspended", "active"),
          "archived": ("suspended", "active")}  # fmt: skip
_YES_NO = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
# Further alias columns a format's export documents (Entra's Download users:
# https://learn.microsoft.com/entra/identity/users/users-bulk-download).
# The Microsoft 365 admin centre's Proxy addresses: `SMTP:primary@...+smtp:alias@...`.
_MORE_ALIASES = {"entra-csv": ("alternateEmailAddress", "proxyAddresses")}
_PROXY = re.compile(r"(?i)\bsmtp:([^\s+;,]+@[^\s+;,]+)")


def _addresses(cell: str) -> list[str]:
    """The addresses in an alias cell: separated by spaces or semicolons, or Exchange proxy
    addresses (`SMTP:`, `smtp:`, joined with `+`), whose other kinds (`SIP:`, `X500:`) are
    no mailbox."""
    proxies = _PROXY.findall(cell)
    return proxies if proxies else cell.replace(";", " ").split()


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


def okta_csv(text: str, as_of: datetime.date, source: str) -> People:
    """An Okta admin CSV export (profile variable names as headers)."""
    return plain_csv(text, as_of, source, CSV_COLUMNS["okta-csv"], "okta-csv")


def entra_csv(text: str, as_of: datetime.date, source: str) -> People:
    """An Entra ID users CSV export from the admin centre."""
    return plain_csv(text, as_of, source, CSV_COLUMNS["entra-csv"], "entra-csv")
