"""IdP roster exports, one pure parser per format, listed in `ROSTER_FORMATS`.

Each parser turns a vendor's documented export shape into `Person` values with one of the
states `active`, `suspended`, `departed`, `not_started`, `leaving` (a leave date after
`as_of`), or `unknown` when the record does not say (a Graph export without `accountEnabled`,
a SCIM user without `active`); the roster also answers `unknown` for anyone it does not list
(shared/reference/conventions.md, section 6). Field names follow the vendors' documentation:
Okta Users API, Entra ID (Microsoft Graph `user`), Google Workspace Directory, SCIM 2.0. What
an export says about itself (only a first page, a missing field) goes in `People.notes`.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from scanner.model import RosterState
from scanner.roster.csvs import CSV_COLUMNS, CSV_FIELDS, csv_body, entra_csv, okta_csv, plain_csv
from scanner.roster.fields import (
    OKTA_STATES,
    Parser,
    People,
    Person,
    _date,
    _emails,
    _items,
    _leaving,
    _logins,
    _pages,
    _ref,
)

__all__ = ["CSV_COLUMNS", "CSV_FIELDS", "ROSTER_FORMATS", "SCIM_USER", "People", "Person",
           "csv_body", "plain_csv"]  # fmt: skip

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# Okta custom profile attributes read as the leave date (a contract's end, a termination),
# in this order; `--roster-columns leave_date=profile.NAME` names another one.
OKTA_LEAVE_ATTRIBUTES = ("terminationDate", "contractEndDate")


def okta(text: str, as_of: datetime.date, source: str) -> People:
    """Okta Users API JSON: a list of users with `status` and `profile`."""
    people = []
    for user in _pages(text, None, source)[0]:
        profile: dict[str, Any] = user["profile"] if isinstance(user.get("profile"), dict) else {}
        primary, emails = _emails(profile.get("email"), profile.get("login"),
                                  profile.get("secondEmail"))  # fmt: skip
        name = (
            profile.get("displayName")
            or " ".join(str(profile.get(k) or "") for k in ("firstName", "lastName")).strip()
        )
        state = OKTA_STATES.get(str(user.get("status", "")).upper(), "unknown")
        # DEPROVISIONED: `statusChanged` is when it happened; else a custom leave attribute.
        leave = _date(user.get("statusChanged")) if state == "departed" else None
        leave = leave or next((d for k in OKTA_LEAVE_ATTRIBUTES
                               if (d := _date(profile.get(k))) is not None), None)  # fmt: skip
        people.append(Person(
            id=str(user.get("id") or primary), name=str(name), emails=emails, primary=primary,
            logins=_logins(profile.get("githubUsername") or profile.get("github_login")),
            state=RosterState(state if state == "departed" else _leaving(state, leave, as_of)),
            # `managerId` is the reference; `manager` is only a display name (Okta's base
            # profile: https://help.okta.com/en-us/content/topics/users-groups-profiles/usgp-about-profiles.htm).
            manager=_ref(profile.get("managerId")), manager_name=_ref(profile.get("manager")),
            source=source, leave_date=leave,
        ))  # fmt: skip
    return People(people)


# Graph's GET /users without $select leaves accountEnabled out (it is "Returned only on
# $select": https://learn.microsoft.com/graph/api/resources/user).
GRAPH_SELECT = ("$select=id,displayName,mail,userPrincipalName,otherMails,proxyAddresses,"
                "accountEnabled,employeeLeaveDateTime,deletedDateTime&$expand=manager")  # fmt: skip
# A user in /directory/deletedItems has `{object id without dashes}{UPN}` as its UPN.
_DELETED_UPN = re.compile(r"[0-9a-f]{32}", re.IGNORECASE)


def entra(text: str, as_of: datetime.date, source: str) -> People:
    """Microsoft Graph `user` objects under `value` (a list export without it is accepted)."""
    users, pages = _pages(text, "value", source)
    # Get-MgUser | ConvertTo-Json names the properties in PascalCase (UserPrincipalName).
    people = [_entra_user({**{key[:1].lower() + key[1:]: value for key, value in r.items()}, **r},
                          as_of, source) for r in users]  # fmt: skip
    notes = []
    blind = sum(p.state == "unknown" for p in people)
    if blind:
        notes.append(f"{source}: {blind} of its {len(people)} users have no accountEnabled "
                     "(Graph returns it only when asked for), so their state is unknown: "
                     f"export GET /users?{GRAPH_SELECT}")  # fmt: skip
    if pages and pages[-1].get("@odata.nextLink"):  # the last page given is not the last
        notes.append(_first_page(source, "@odata.nextLink", "follow @odata.nextLink"))
    return People(people, notes)


def _entra_user(user: dict[str, Any], as_of: datetime.date, source: str) -> Person:
    proxies = [p.split(":", 1)[1] for p in _items(user.get("proxyAddresses"))
               if isinstance(p, str) and p.lower().startswith("smtp:")]  # fmt: skip
    ident, upn = str(user.get("id") or ""), user.get("userPrincipalName")
    if user.get("deletedDateTime") and isinstance(upn, str):
        prefix = _DELETED_UPN.match(upn)
        if prefix and (not ident or prefix[0].lower() == ident.replace("-", "").lower()):
            upn = upn[prefix.end() :]
    primary, emails = _emails(user.get("mail"), upn, *_items(user.get("otherMails")),
                              *proxies)  # fmt: skip
    enabled = user.get("accountEnabled")
    leave = _date(user.get("employeeLeaveDateTime"))
    if isinstance(enabled, bool):
        state = "active" if enabled else "departed"
    else:  # not selected: only a leave date says whether they are (or were) here
        state = "active" if leave else "unknown"
    if user.get("deletedDateTime"):
        state, leave = "departed", leave or _date(user.get("deletedDateTime"))
    manager = user.get("manager")
    return Person(
        id=ident or primary, name=str(user.get("displayName") or ""),
        emails=emails, primary=primary, logins=frozenset(),
        state=RosterState(_leaving(state, leave, as_of)),
        manager=_ref(manager.get("id") if isinstance(manager, dict) else manager),
        source=source, leave_date=leave,
    )  # fmt: skip


def _first_page(source: str, sign: str, how: str) -> str:
    return (f"{source}: holds one page of a longer list ({sign}): people on the other pages "
            f"are unknown unless those pages are given too ({how}, one --roster per "
            "page)")  # fmt: skip


def google(text: str, as_of: datetime.date, source: str) -> People:
    """Google Workspace Directory `users` (under `users`, or a bare list)."""
    users, pages = records("google", text, source)
    people = []
    for user in users:
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
    paged = pages and pages[-1].get("nextPageToken")
    return People(people, [_first_page(source, "nextPageToken", "ask again with pageToken")]
                  if paged else [])  # fmt: skip


_SCIM_ACTIVE = {True: "active", False: "departed", "true": "active", "false": "departed"}


def scim(text: str, as_of: datetime.date, source: str) -> People:
    """A SCIM 2.0 ListResponse of core Users with the enterprise extension's manager."""
    users, pages = _pages(text, "Resources", source)
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
        # RFC 7643 section 4.1.1 gives `active` no default: a user without it is unknown.
        active = user.get("active")
        active = active.lower() if isinstance(active, str) else active
        state = _SCIM_ACTIVE.get(active, "unknown") if isinstance(active, bool | str) else "unknown"
        meta: dict[str, Any] = user["meta"] if isinstance(user.get("meta"), dict) else {}
        people.append(Person(
            id=str(user.get("id") or primary), name=str(user.get("displayName") or ""),
            emails=emails, primary=primary, logins=frozenset(), state=RosterState(state),
            manager=_scim_manager(manager), source=source,
            manager_name=_ref(manager.get("displayName")) if isinstance(manager, dict) else None,
            # SCIM has no leave date: an inactive user's last change is the best one there is.
            leave_date=_date(meta.get("lastModified")) if state == "departed" else None,
        ))  # fmt: skip
    totals = [t for p in pages if isinstance(t := p.get("totalResults"), int)
              and not isinstance(t, bool)]  # fmt: skip
    total = max(totals, default=None)
    if total is not None and total > len(users):
        return People(people, [_first_page(source, f"{len(users)} of totalResults {total}",
                                           "page with startIndex and count")])  # fmt: skip
    return People(people)


def _scim_manager(manager: Any) -> str | None:
    """The manager's SCIM id: `value` (RFC 7643 section 4.3), else the last segment of its
    `$ref` URI; a bare string is taken as the id (some servers flatten the complex attribute,
    as Entra's provisioning PATCH operations do)."""
    if not isinstance(manager, dict):
        return _ref(manager)
    ref = _ref(manager.get("$ref"))
    return _ref(manager.get("value")) or (_ref(ref.rstrip("/").rsplit("/", 1)[-1]) if ref else None)


# Where each JSON format lists its users; Google leaves `users` out of a page with nobody.
JSON_LISTS = {"okta": None, "entra": "value", "google": "users", "scim": "Resources"}


def _google_page(document: dict[str, Any]) -> bool:
    return document.get("kind") == "admin#directory#users"


def records(fmt: str, text: str, source: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A JSON format's user records and pages (`fields._pages`)."""
    return _pages(text, JSON_LISTS[fmt], source, _google_page if fmt == "google" else None)


ROSTER_FORMATS: dict[str, Parser] = {
    "csv": plain_csv,
    "entra": entra,
    "entra-csv": entra_csv,
    "google": google,
    "okta": okta,
    "okta-csv": okta_csv,
    "scim": scim,
}
