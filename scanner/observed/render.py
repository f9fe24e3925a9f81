"""How `--observed` shows in the aggregator's outputs (`aggregate.output` calls these): the
judged pairs with how each match was made, the export and its date. Never a value: exports
carry none, and key ids are identifiers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from scanner.model import JSON
from scanner.observed.result import Observation, Seen
from scanner.words import plural


def sections(observation: Observation | None) -> Iterator[tuple[str, Any]]:
    """The JSON document's keys for the exports (none without --observed)."""
    if observation is None:
        return
    yield "observed_exports", [{"source": e.source, "format": e.format, "exported": e.exported,
                                "items": e.items} for e in observation.exports]  # fmt: skip
    yield "observed", (seen_json(s) for s in observation.seen)


def seen_json(seen: Seen) -> dict[str, JSON]:
    o = seen.observed
    return {
        "repository": seen.repository, "identity": seen.identity, "kind": seen.kind,
        "name": seen.name, "path": seen.path, "line": seen.line, "state": seen.state,
        "rules": list(seen.rules), "route_to": list(seen.route_to), "why": seen.why,
        "how": seen.how,
        "observed": None if o is None else {
            "provider": o.provider, "kind": o.kind, "scope": o.scope, "name": o.name,
            "key": o.key, "live": o.live, "created": o.created, "rotated": o.rotated,
            "last_used": o.last_used, "expires": o.expires, "creator": o.creator,
            "owner": o.owner, "details": dict(o.details), "export": o.source,
            "exported": o.exported,
        },
        "unused_days": seen.unused_days, "key_age_days": seen.key_age_days,
    }  # fmt: skip


def identities(observation: Observation | None) -> Callable[[tuple[str, str]], dict[str, JSON]]:
    """For the JSON `identities` list: each declared identity's `observed` key, what the
    exports say of it (its first pair: a name live in two accounts is listed in `observed`)."""
    first: dict[tuple[str, str], Seen] = {}
    for seen in observation.seen if observation else ():
        if seen.path:
            first.setdefault(seen.key, seen)

    def extra(key: tuple[str, str]) -> dict[str, JSON]:
        seen = first.get(key)
        if seen is None:
            return {}
        o = seen.observed
        return {"observed": {
            "state": seen.state, "how": seen.how, "live": seen.state == "live",
            "created": o.created if o else None, "last_used": o.last_used if o else None,
            "unused_days": seen.unused_days, "key_age_days": seen.key_age_days,
            "export": o.source if o else None, "exported": o.exported if o else None,
        }}  # fmt: skip

    return extra


def _where(seen: Seen) -> str:
    if seen.path:
        return f"{seen.repository}: {seen.path}:{seen.line}: {seen.kind} {seen.name}"
    o = seen.observed
    place = o.scope if o is not None else seen.repository
    return f"{place or 'organisation'}: {seen.kind} {seen.name} (observed only)"


def facts(seen: Seen) -> str:
    """'last used 2026-06-02 (183 days), key age 400 days, export 2026-12-01' as known."""
    o, said = seen.observed, []
    if o is not None:
        said.append(f"created {o.created}" if o.created else "")
        said.append(f"last used {o.last_used}" if o.last_used else
                    "never used" if o.tracks_use else "use not recorded")  # fmt: skip
        if seen.unused_days is not None:
            said.append(f"unused {_days(seen.unused_days)}")
        if seen.key_age_days is not None:
            said.append(f"key age {_days(seen.key_age_days)}")
        said.append(f"export {o.source}" + (f" of {o.exported}" if o.exported else ""))
    return ", ".join(s for s in said if s)


def text(observation: Observation | None) -> Iterator[str]:
    """One block per finding, like an orphan's; then one line per export."""
    if observation is None:
        return
    for seen in observation.findings:
        decider = ", ".join(seen.route_to)
        lines = [
            f"{_where(seen)} [{', '.join(seen.rules)}] {seen.state}",
            f"    how: {seen.how}",
            f"    decide: {decider} ({seen.why})" if decider else f"    decide: {seen.why}",
        ]
        if said := facts(seen):
            lines.append(f"    observed: {said}")
        yield "\n".join(lines) + "\n"
    for e in observation.exports:
        dated = f", {e.exported}" if e.exported else ""
        yield f"observed: {e.source} ({e.format}{dated}): {plural(e.items, 'item')}\n"
    live = sum(1 for s in observation.seen if s.state == "live")
    matched = plural(live, "declared identity", "declared identities")
    yield f"{plural(len(observation.findings), 'observed finding')}; {matched} matched live\n"


def csv_rows(observation: Observation | None) -> Iterator[tuple[object, ...]]:
    """Rows for the access review sheet, in its columns up to `why` (see output.render_csv;
    the decision columns are left empty there)."""
    if observation is None:
        return
    for s in sorted(observation.findings, key=lambda s: (s.route_to, s.repository, s.identity)):
        reason = "; ".join([*s.rules, s.how])
        yield (" ".join(s.route_to), s.repository, s.identity, s.kind, s.name, s.path, s.line,
               s.state, reason, facts(s), "", s.why)  # fmt: skip


def markdown(observation: Observation | None, md: Callable[[str], str], limit: int) -> list[str]:
    """A table of the findings (at most `limit` rows), for a job summary or an issue."""
    if observation is None or not observation.findings:
        return []
    lines = ["## Observed in the exports", "", "| decide | rules | identity | how | observed |",
             "|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {md(', '.join(s.route_to) or 'nobody')} | {' '.join(s.rules)} | "
              f"{md(_where(s))} | {md(s.how)} | {md(facts(s))} |"
              for s in observation.findings[:limit]]  # fmt: skip
    if len(observation.findings) > limit:
        lines.append(f"\n{len(observation.findings) - limit} more: `--format csv` lists them all.")
    return [*lines, ""]


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
