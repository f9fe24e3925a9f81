"""The `--teams` file: who is in each `@org/team`, and who speaks for it.

A team's value is a list of members (logins or emails), or a mapping
`{members: [...], lead: login-or-email, successor: "@org/other"}`: the lead is the person a
decision for the team goes to, the successor the team that took over a dissolved one (#23).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.errors import RosterError


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    members: tuple[str, ...]
    lead: str | None = None
    successor: str | None = None


def parse_teams(document: Mapping[Any, Any], source: str) -> dict[str, Team]:
    """Teams from the parsed `--teams` document; a wrong shape is one clear `RosterError`."""
    teams: dict[str, Team] = {}
    for name, value in document.items():
        entry = value if isinstance(value, Mapping) else {"members": value}
        members, lead, successor = (entry.get(k) for k in ("members", "lead", "successor"))
        members = [] if members is None and isinstance(value, Mapping) else members
        unknown = set(entry) - {"members", "lead", "successor"}
        if not isinstance(name, str) or not isinstance(members, list) \
                or not all(isinstance(m, str) for m in members) or unknown:  # fmt: skip
            raise RosterError(f"{source}: the members of {_quote(name)} must be a list of logins "
                              "or emails")  # fmt: skip
        for key, given in (("lead", lead), ("successor", successor)):
            if given is not None and not (isinstance(given, str) and given.strip()):
                raise RosterError(f"{source}: the {key} of {_quote(name)} must be a login or email")
        teams[name] = Team(members=tuple(members), lead=lead, successor=successor)
    return teams


def _quote(key: object) -> str:
    text = str(key)
    return repr(text if len(text) <= 60 else text[:57] + "...")
