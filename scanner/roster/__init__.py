"""People from IdP rosters: who someone is, whether they are still here, who decides for them.

`Roster` merges any number of exports (see `formats.ROSTER_FORMATS`), matches the references
scanners and attribution produce (commit emails, GitHub noreply addresses, CODEOWNERS
`@login`, `@org/team` and emails) to people, answers the policy `Directory` question
(`state`), and routes a decision up a manager chain. Anyone it cannot match is `unknown`:
never silently active, never silently departed.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Iterable, Mapping

from scanner.errors import RosterError
from scanner.roster.formats import ROSTER_FORMATS, People, Person
from scanner.roster.parse import detect, parse
from scanner.roster.teams import Team, parse_teams

__all__ = [
    "ROSTER_FORMATS", "People", "Person", "Roster", "Team", "detect", "normalise", "parse",
    "parse_teams",
]  # fmt: skip

# `ID+LOGIN@` or `LOGIN@users.noreply.github.com`; EMU logins carry `_shortcode` (#23).
_NOREPLY = re.compile(r"^(?:\d+\+)?([a-z0-9](?:[a-z0-9_-]*[a-z0-9])?)@users\.noreply\.github\.com$")
# When rosters disagree about someone, the state that matters most for offboarding wins.
_PRECEDENCE = ["departed", "suspended", "leaving", "not_started", "active", "unknown"]
# When two accounts of one export share an address, the one still in use speaks for it.
_PRESENCE = ["active", "leaving", "not_started", "suspended", "departed", "unknown"]
_PRESENT = "active"
MAX_TEAM_DEPTH = 100  # teams within teams; deeper nesting in --teams is refused (exit 3)


@functools.lru_cache(maxsize=1 << 16)  # the same few thousand people, asked about 500,000 times
def normalise(reference: str) -> str:
    """Lower-case, strip `<>`, and turn a GitHub noreply address into `@login`."""
    value = reference.strip().strip("<>").lower()
    match = _NOREPLY.match(value)
    return f"@{match[1]}" if match else value


def _member(reference: str) -> str:
    """A team member as written in --teams: an email, `@login` or a bare login."""
    value = normalise(reference)
    return value if "@" in value else f"@{value}"


def _as_team(value: Team | Iterable[str]) -> Team:
    return value if isinstance(value, Team) else Team(members=tuple(value))


class Roster:
    """Merged rosters with lookups by email, GitHub login and IdP id, plus teams."""

    def __init__(
        self,
        people: Iterable[Person],
        teams: Mapping[str, Team | Iterable[str]] | None = None,
        people_map: Mapping[str, str] | None = None,
        as_of: datetime.date | None = None,
    ) -> None:
        self._people: dict[str, Person] = {}
        self._index: dict[str, str] = {}
        self._merged: dict[str, tuple[Person, ...]] = {}  # accounts sharing an address
        self._names: dict[str, str | None] = {}  # display name -> key; None when not unique
        self.as_of = as_of
        for person in people:
            self._add(person)
        given = {team.lower(): _as_team(value) for team, value in (teams or {}).items()}
        self._teams = {team: [_member(m) for m in t.members] for team, t in given.items()}
        self._leads = {team: _member(t.lead) for team, t in given.items() if t.lead}
        self._successors = {team: normalise(t.successor)
                            for team, t in given.items() if t.successor}  # fmt: skip
        self._aliases = {_member(k): normalise(v) for k, v in (people_map or {}).items()}
        self._states: dict[str, str] = {}  # memo: the roster does not change once built

    def _add(self, person: Person) -> None:
        if not person.primary:  # nothing to match them by; never merged on "" (parse counts them)
            return
        key = self._index.get(person.primary) or self._index.get(person.id.lower()) \
            or person.primary  # fmt: skip
        known = self._people.get(key)
        incoming = person
        if known is not None:
            person = self._merge(key, known, person)
        self._people[key] = person
        # Every id of every export stays indexed: an Entra manager id still resolves after
        # the person was merged into an Okta record (#23).
        for handle in (
            incoming.id.lower(),
            person.id.lower(),
            *person.emails,
            *(f"@{login}" for login in person.logins),
        ):
            self._index.setdefault(handle, key)
        if name := incoming.name.strip().casefold():
            self._names[name] = key if self._names.get(name, key) == key else None

    def _merge(self, key: str, known: Person, person: Person) -> Person:
        if known.source == person.source and known.id.lower() != person.id.lower():
            # Two accounts of one export share an address (a contractor account that became
            # an employee account): the one still in use wins, whatever the order (#23).
            accounts = (*self._merged.get(key, (known,)), person)
            self._merged[key] = accounts
            first, second = sorted((known, person),
                                   key=lambda p: (_PRESENCE.index(p.state), p.id))  # fmt: skip
            return dataclasses.replace(
                first, emails=first.emails | second.emails, logins=first.logins | second.logins,
                name=first.name or second.name, primary=known.primary,
            )  # fmt: skip
        # The same person in another export: merge what each knows, the gravest state wins.
        state = min(known.state, person.state, key=_PRECEDENCE.index)
        dated = known if known.state == state and known.leave_date else person
        return Person(
            id=known.id, name=known.name or person.name, emails=known.emails | person.emails,
            primary=known.primary, logins=known.logins | person.logins, state=state,
            manager=known.manager or person.manager, source=known.source,
            leave_date=dated.leave_date or known.leave_date,
            manager_name=known.manager_name or person.manager_name,
        )  # fmt: skip

    def merges(self) -> list[str]:
        """One sentence per address that several accounts of one export share."""
        notes = []
        for key, accounts in sorted(self._merged.items()):
            chosen = self._people[key]
            listed = ", ".join(f"{a.id} ({a.state})" for a in sorted(accounts, key=lambda a: a.id))
            notes.append(f"{chosen.primary}: accounts {listed} of {chosen.source} share this "
                         f"address; {chosen.id} ({chosen.state}) counts")  # fmt: skip
        return notes

    def person(self, reference: str) -> Person | None:
        """The person behind an email, `@login`, noreply address or IdP id, or None."""
        value = normalise(reference)
        value = self._aliases.get(value, value)
        key = self._index.get(value)
        return self._people.get(key) if key is not None else None

    def canonical(self, reference: str) -> str:
        """One key for every alias of a person: the primary email of the person the roster
        knows, else the normalised reference (#23)."""
        found = None if self.is_team(reference) else self.person(reference)
        return found.primary if found is not None else normalise(reference)

    def state(self, reference: str) -> str:
        """The policy `Directory` answer; a team is departed when no member is active or
        leaving (and `unknown` when no member is in any roster)."""
        value = normalise(reference)
        known = self._states.get(value)
        if known is None:
            known = self._states[value] = self._state(value)
        return known

    def _state(self, value: str) -> str:
        if value in self._teams:
            return self._team_state(value)
        found = self.person(value)
        return found.state if found is not None else "unknown"

    def _team_state(self, team: str) -> str:
        """Active when anyone the team reaches is, else leaving when anyone is leaving, else
        unknown when no member is in any roster, else departed. A team may list teams: a
        breadth-first walk visits each team once, so cycles end and shared sub-teams (a
        diamond) cost nothing more. Nesting deeper than MAX_TEAM_DEPTH is refused."""
        seen, level, states = {team}, [team], set()
        for _depth in range(MAX_TEAM_DEPTH):
            following = []
            for current in level:
                for member in self._teams[current]:
                    if member not in self._teams:
                        found = self.person(member)
                        state = found.state if found is not None else "unknown"
                        if state == _PRESENT:
                            return _PRESENT
                        states.add(state)
                    elif member not in seen:
                        seen.add(member)
                        following.append(member)
            if not following:
                if "leaving" in states:  # still here: the team is leaving with them
                    return "leaving"
                return "unknown" if states <= {"unknown"} and self._teams[team] else "departed"
            level = following
        raise RosterError(f"{team} nests teams more than {MAX_TEAM_DEPTH} levels deep")

    def leave_date(self, reference: str) -> datetime.date | None:
        """When a person left or leaves; for a team leaving, when its last member leaves."""
        value = normalise(reference)
        if value not in self._teams:
            found = self.person(value)
            return found.leave_date if found is not None else None
        seen, todo, days = {value}, [value], []
        while todo:  # every person the team reaches, each team once (cycles end)
            for member in self._teams[todo.pop()]:
                if member in self._teams:
                    if member not in seen:
                        seen.add(member)
                        todo.append(member)
                elif self.state(member) == "leaving" and (day := self.leave_date(member)):
                    days.append(day)
        return max(days, default=None)

    def is_team(self, reference: str) -> bool:
        return normalise(reference) in self._teams

    def members(self, team: str) -> frozenset[str]:
        """Every person a team reaches (through nested teams), as `canonical` keys (#24)."""
        seen, todo, found = {normalise(team)}, [normalise(team)], set()
        while todo:
            for member in self._teams.get(todo.pop(), ()):
                if member not in self._teams:
                    found.add(self.canonical(member))
                elif member not in seen:
                    seen.add(member)
                    todo.append(member)
        return frozenset(found)

    def lead(self, team: str) -> str | None:
        """The person `--teams` names as a team's lead (its decider)."""
        return self._leads.get(normalise(team))

    def successor(self, team: str) -> str | None:
        """The team `--teams` names as having taken over a dissolved one."""
        return self._successors.get(normalise(team))

    def manager_of(self, person: Person) -> Person | None:
        """The manager by reference, else by display name when exactly one person has it.
        Exports fill these fields as their admins chose: a CSV's or Entra's `Manager` column
        may hold a display name, Okta's `manager` an email, `managerId` an employee number
        no roster lists; so each is tried as a reference and then as a name."""
        for value in (person.manager, person.manager_name):
            if not value:
                continue
            found = self.person(value)
            key = self._names.get(value.strip().casefold()) if found is None else None
            found = found or (self._people.get(key) if key is not None else None)
            if found is not None:
                return found
        return None

    def route(self, person: Person) -> tuple[Person | None, tuple[str, ...]]:
        """The nearest active manager up the chain, and who was skipped (departed or a cycle),
        ending with why the chain broke when it did."""
        seen = {person.primary}
        skipped: list[str] = []
        last = person.state
        current, named = self.manager_of(person), person
        while current is not None:
            if current.primary in seen:
                skipped.append(f"cycle at {current.primary}")
                return None, tuple(skipped)
            seen.add(current.primary)
            if current.state == _PRESENT:
                return current, tuple(skipped)
            skipped.append(f"{current.primary} ({current.state})")
            last, named = current.state, current
            current = self.manager_of(current)
        if named.manager:
            skipped.append(f"manager {named.manager} is in no roster")
        elif named.manager_name:  # a display name is no reference: it matched nobody's name
            skipped.append(f"the manager's name {named.manager_name!r} is no one's name in "
                           "the rosters")  # fmt: skip
        elif skipped:
            skipped.append(f"manager chain ends at a {last} person")
        return None, tuple(skipped)

    def __len__(self) -> int:
        return len(self._people)
