"""People from IdP rosters: who someone is, whether they are still here, who decides for them.

`Roster` merges any number of exports (see `formats.ROSTER_FORMATS`), matches the references
scanners and attribution produce (commit emails, GitHub noreply addresses, CODEOWNERS
`@login`, `@org/team` and emails) to people, answers the policy `Directory` question
(`state`), and routes a decision up a manager chain. Anyone it cannot match is `unknown`:
never silently active, never silently departed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from scanner.errors import RosterError
from scanner.roster.formats import ROSTER_FORMATS, Person, detect, parse

__all__ = ["ROSTER_FORMATS", "Person", "Roster", "detect", "normalise", "parse"]

_NOREPLY = re.compile(r"^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)@users\.noreply\.github\.com$")
# When rosters disagree about someone, the state that matters most for offboarding wins.
_PRECEDENCE = ["departed", "suspended", "leaving", "not_started", "active", "unknown"]
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


class Roster:
    """Merged rosters with lookups by email, GitHub login and IdP id, plus teams."""

    def __init__(
        self,
        people: Iterable[Person],
        teams: Mapping[str, Iterable[str]] | None = None,
        people_map: Mapping[str, str] | None = None,
    ) -> None:
        self._people: dict[str, Person] = {}
        self._index: dict[str, str] = {}
        for person in people:
            self._add(person)
        self._teams = {team.lower(): [_member(m) for m in members]
                       for team, members in (teams or {}).items()}  # fmt: skip
        self._aliases = {normalise(k): normalise(v) for k, v in (people_map or {}).items()}
        self._states: dict[str, str] = {}  # memo: the roster does not change once built

    def _add(self, person: Person) -> None:
        key = self._index.get(person.primary) or self._index.get(person.id) or person.primary
        known = self._people.get(key)
        if known is not None:  # the same person in another export: merge what each knows
            state = min(known.state, person.state, key=_PRECEDENCE.index)
            person = Person(
                id=known.id, name=known.name or person.name, emails=known.emails | person.emails,
                primary=known.primary, logins=known.logins | person.logins, state=state,
                manager=known.manager or person.manager, source=known.source,
            )  # fmt: skip
        self._people[key] = person
        for handle in (
            person.id.lower(),
            *person.emails,
            *(f"@{login}" for login in person.logins),
        ):
            self._index.setdefault(handle, key)

    def person(self, reference: str) -> Person | None:
        """The person behind an email, `@login`, noreply address or IdP id, or None."""
        value = normalise(reference)
        value = self._aliases.get(value, value)
        key = self._index.get(value)
        return self._people.get(key) if key is not None else None

    def state(self, reference: str) -> str:
        """The policy `Directory` answer; a team is departed when no member is active."""
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
        """Active when anyone the team reaches is: a team may list teams, and a breadth-first
        walk visits each team once, so cycles end and shared sub-teams (a diamond) cost nothing
        more. Nesting deeper than MAX_TEAM_DEPTH is refused rather than walked."""
        seen, level = {team}, [team]
        for _depth in range(MAX_TEAM_DEPTH):
            following = []
            for current in level:
                for member in self._teams[current]:
                    if member not in self._teams:
                        found = self.person(member)
                        if found is not None and found.state == _PRESENT:
                            return _PRESENT
                    elif member not in seen:
                        seen.add(member)
                        following.append(member)
            if not following:
                return "departed"
            level = following
        raise RosterError(f"{team} nests teams more than {MAX_TEAM_DEPTH} levels deep")

    def manager_of(self, person: Person) -> Person | None:
        return self.person(person.manager) if person.manager else None

    def route(self, person: Person) -> tuple[Person | None, tuple[str, ...]]:
        """The nearest active manager up the chain, and who was skipped (departed or a cycle)."""
        seen = {person.primary}
        skipped: list[str] = []
        current = self.manager_of(person)
        while current is not None:
            if current.primary in seen:
                skipped.append(f"cycle at {current.primary}")
                return None, tuple(skipped)
            seen.add(current.primary)
            if current.state == _PRESENT:
                return current, tuple(skipped)
            skipped.append(f"{current.primary} ({current.state})")
            current = self.manager_of(current)
        return None, tuple(skipped)

    def __len__(self) -> int:
        return len(self._people)
