"""The fields every roster format shares: the `Person` a parser makes, the `People` one export
holds (with what the export says about itself), and readers of untrusted field values (#12)."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scanner.errors import RosterError
from scanner.model import RosterState


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """Someone an IdP roster lists."""

    id: str  # the IdP's own id (Okta id, Entra object id, SCIM id), else the primary email
    name: str
    emails: frozenset[str]  # lower-cased; the first is in `primary`
    primary: str  # empty when the record holds no address: `parse` leaves such records out
    logins: frozenset[str]  # GitHub logins, lower-cased, without @
    state: RosterState
    manager: str | None  # a reference to another person: id, email or login
    source: str
    # The day they left (departed) or will leave (leaving), when the export says (#23).
    leave_date: datetime.date | None = None
    # The manager's display name, when that is all the export gives (Okta `profile.manager`):
    # matched to someone's `name`, never reported as a reference nobody knows.
    manager_name: str | None = None


class People(list[Person]):
    """One export's people, as the list the aggregator reads, and what the export says about
    itself that the output must repeat once (a first page only, no status field, records with
    no address). A list, so every caller that reads people from `parse` reads these too."""

    __slots__ = ("notes",)

    def __init__(self, people: Iterable[Person] = (), notes: Iterable[str] = ()) -> None:
        super().__init__(people)
        self.notes: tuple[str, ...] = tuple(notes)


Parser = Callable[[str, datetime.date, str], list[Person]]


_DECODER = json.JSONDecoder()
_NEXT = re.compile(r"[^ \t\r\n]")  # where the next document starts


def _documents(text: str, source: str) -> list[Any]:
    """The JSON documents of an export: one, or several one after another (the pages of a
    paginated API appended to one file, `curl ... >> users.json`; NDJSON, one user a line)."""
    found, at = [], _next(text, 0)
    while at < len(text):
        try:
            document, at = _DECODER.raw_decode(text, at)
        except json.JSONDecodeError as error:
            raise RosterError(f"{source}: not valid JSON (line {error.lineno})") from None
        except RecursionError:  # the decoder recurses once per level of nesting (#12)
            raise RosterError(f"{source}: not valid JSON (nested too deeply)") from None
        found.append(document)
        at = _next(text, at)
    if not found:
        raise RosterError(f"{source}: not valid JSON (the file is empty)")
    return found


def _next(text: str, at: int) -> int:
    found = _NEXT.search(text, at)
    return found.start() if found else len(text)


def _pages(
    text: str, key: str | None, source: str, page: Callable[[dict[str, Any]], bool] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The user records of an export, and its pages (the documents that list users under
    `key`, for what they say about paging). Accepted: one page; pages one after another or
    gathered into one JSON array (`jq -s`); users one after another (NDJSON); for a format
    with no `key` (Okta's bare arrays), arrays one after another or an array of arrays.
    `page` also names a page that lists nobody (Google leaves out an empty `users`)."""
    documents = _documents(text, source)

    def is_page(document: Any) -> bool:
        if not key:
            return isinstance(document, list)
        return isinstance(document, dict) and (key in document or bool(page and page(document)))

    if len(documents) == 1 and isinstance(documents[0], list) and documents[0] \
            and all(is_page(d) for d in documents[0]):  # fmt: skip
        documents = documents[0]  # an array of pages
    if len(documents) == 1:
        document = documents[0]
        if key and isinstance(document, dict) and page is not None and page(document):
            document = {key: [], **document}
        pages = [document] if isinstance(document, dict) else []
        return _list(document, key if isinstance(document, dict) else None, source), pages
    users: list[dict[str, Any]] = []
    pages = []
    for document in documents:
        if is_page(document):
            if isinstance(document, dict):
                pages.append(document)
            users += _list(document.get(key, []) if isinstance(document, dict) else document,
                           None, source)  # fmt: skip
        elif isinstance(document, dict):  # NDJSON: a user record
            users.append(document)
        else:
            raise RosterError(f"{source}: expected a list of users"
                              + (f" under {key!r}" if key else ""))  # fmt: skip
    return users, pages


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
    """The primary address and every address. An Entra guest's `#EXT#` UPN is no mailbox:
    it is the primary only when the record has no other address."""
    found = [str(v).strip().lower() for v in values if isinstance(v, str) and "@" in v]
    unique = sorted(dict.fromkeys(found), key=lambda address: "#ext#" in address)  # stable
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


def _logins(value: Any) -> frozenset[str]:
    if not isinstance(value, str):
        return frozenset()
    return frozenset(v.strip().lstrip("@").lower() for v in value.replace(";", " ").split() if v)


# Okta's user statuses, as the API writes them and as the Admin Console (and its Password
# Health report) labels them: help.okta.com, "About user account status"
# (https://help.okta.com/en-us/content/topics/users-groups-profiles/usgp-end-user-states.htm).
OKTA_STATES = {
    "ACTIVE": "active", "RECOVERY": "active", "LOCKED_OUT": "active",
    "PASSWORD_EXPIRED": "active", "SUSPENDED": "suspended", "DEPROVISIONED": "departed",
    "STAGED": "not_started", "PROVISIONED": "not_started",
    # Admin Console labels, upper-cased: Password reset is RECOVERY, Pending user action is
    # PROVISIONED, Deactivated is DEPROVISIONED.
    "PASSWORD RESET": "active", "PASSWORD EXPIRED": "active", "LOCKED OUT": "active",
    "PENDING USER ACTION": "not_started", "DEACTIVATED": "departed",
}  # fmt: skip
