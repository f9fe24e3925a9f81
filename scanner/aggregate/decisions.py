"""Decisions files (`nhi aggregate --decisions`, #24): the CSV review sheet the aggregator
writes, filled in, or a YAML/JSON file (`scanner/schemas/decisions.schema.json`).

`load` is the file edge; `parse_csv` and `parse_yaml` are pure. A file that cannot be read or
has the wrong shape as a whole is one `DecisionError` (exit 3); a bad row is one message and
the other rows still count. `check` then judges each row against the run (`review.apply`).
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from scanner.aggregate.resolve import Resolved
from scanner.aggregate.review_model import ACTIONS, KEEP, REASSIGN, Decision, Key
from scanner.errors import DecisionError, ParseError
from scanner.model import JSON
from scanner.roster import Roster
from scanner.scanners import _yaml

# The review sheet's columns a decider fills in (`output.render_csv` writes them empty).
SHEET_COLUMNS = ("decision", "reassign_to", "decided_by", "decided_on")
_NEEDED = ("repository", "identity", "decision")
_PRESENT = ("active", "leaving")  # still here: may decide, may own
_FORMULA_QUOTE = ("'=", "'+", "'-", "'@")  # what csv_cells.safe_cell put in front


def load(paths: Iterable[Path]) -> tuple[list[Decision], list[str]]:
    """Every row of every file, in order, and one message per row that is not a decision."""
    rows: list[Decision] = []
    problems: list[str] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise DecisionError(f"{path}: cannot be read ({error})") from None
        parse = parse_csv if path.suffix.lower() == ".csv" else parse_yaml
        found, bad = parse(text, str(path))
        rows += found
        problems += bad
    return rows, problems


def parse_csv(text: str, source: str) -> tuple[list[Decision], list[str]]:
    """The review sheet, filled in: rows with an empty `decision` are not decided yet."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in reader.fieldnames or ()]
        missing = [name for name in _NEEDED if name not in header]
        if missing:
            raise DecisionError(
                f"{source}: not a decisions sheet: no {', '.join(missing)} column (fill in the "
                "sheet `nhi aggregate --format csv` writes, or give a YAML file)"
            )
        reader.fieldnames = header
        rows: list[Decision] = []
        problems: list[str] = []
        for cells in reader:
            fields = {k: _cell(v) for k, v in cells.items() if isinstance(k, str)}
            if not fields.get("decision"):
                continue
            decision = _row(fields, f"{source}:{reader.line_num}")
            (rows if isinstance(decision, Decision) else problems).append(decision)  # type: ignore[arg-type]
        return rows, problems
    except csv.Error as error:
        raise DecisionError(f"{source}: not valid CSV ({error})") from None


def parse_yaml(text: str, source: str) -> tuple[list[Decision], list[str]]:
    """`decisions: [{repository, identity, decision, decided_by, decided_on, ...}]`."""
    try:
        document, spans = _yaml.parse(text)
    except ParseError as error:
        raise DecisionError(f"{source}: {error.message}") from None
    entries = document.get("decisions") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise DecisionError(f"{source}: expected a mapping with a `decisions` list "
                            "(scanner/schemas/decisions.schema.json)")  # fmt: skip
    shape = _schema_problems(document, source)
    rows: list[Decision] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        where = f"{source}:{spans.line(('decisions', index))}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping (repository, identity, decision, ...)")
            continue
        fields = {str(k): "" if v is None else str(v).strip() for k, v in entry.items()}
        decision = _row(fields, where)
        if isinstance(decision, str) or index not in shape:
            (rows if isinstance(decision, Decision) else problems).append(decision)  # type: ignore[arg-type]
            continue
        problems.append(f"{where}: {fields.get('identity') or '?'}: {shape[index]}")
    return rows, problems


@functools.cache
def _schema() -> dict[str, Any]:
    text = (Path(__file__).parents[1] / "schemas/decisions.schema.json").read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


def _schema_problems(document: JSON, source: str) -> dict[int, str]:
    """The schema's first word on each row (unknown fields, wrong types), by row index; a
    problem with the document itself (a key beside `decisions`) is a `DecisionError`."""
    import jsonschema

    found: dict[int, str] = {}
    validator = jsonschema.Draft202012Validator(_schema())
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
        path = list(error.path)
        if len(path) < 2 or not isinstance(path[1], int):
            raise DecisionError(f"{source}: {error.message} (scanner/schemas/decisions."
                                "schema.json)")  # fmt: skip
        field = f"{path[2]}: " if len(path) > 2 else ""
        found.setdefault(path[1], field + error.message)
    return found


def _cell(value: object) -> str:
    """A cell as the decider meant it: csv_cells puts `'` before a formula character."""
    text = value.strip() if isinstance(value, str) else ""
    return text[1:] if text.startswith(_FORMULA_QUOTE) else text


def _row(fields: Mapping[str, str], where: str) -> Decision | str:
    """One decision, or the one message saying what is wrong with the row."""
    identity, repository = fields.get("identity", ""), fields.get("repository", "")
    action = fields.get("decision", "").lower()
    target = fields.get("reassign_to", "")
    problem = ""
    if not identity or not repository:
        problem = "needs a repository and an identity id"
    elif action not in ACTIONS:
        problem = f"decision must be keep, reassign or revoke, not {_quote(action)}"
    elif action == REASSIGN and not target:
        problem = "reassign needs reassign_to: the person or team who owns it from now on"
    elif not fields.get("decided_by"):
        problem = "needs decided_by: who decided"
    elif _date(fields.get("decided_on", "")) is None:
        problem = f"decided_on must be a date, YYYY-MM-DD, not {_quote(fields.get('decided_on'))}"
    if problem:
        return f"{where}: {identity or '?'}: {problem}"
    return Decision(repository=repository, identity=identity, action=action,
                    decided_by=fields["decided_by"], decided_on=fields["decided_on"],
                    assign_to=target if action == REASSIGN else "",
                    note=fields.get("note", ""), source=where)  # fmt: skip


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _quote(value: object) -> str:
    text = str(value or "")
    return repr(text if len(text) <= 40 else text[:37] + "...")


def until(decision: Decision, attest_days: int) -> datetime.date:
    """The last day a keep holds (`--attest-days` after it was decided)."""
    return datetime.date.fromisoformat(decision.decided_on) + datetime.timedelta(attest_days)


def check(
    row: Decision, item: Resolved | None, roster: Roster, *, reviewers: Sequence[str],
    as_of: datetime.date, attest_days: int, gone: Mapping[Key, str], reported: frozenset[str],
    assigned: str = "",
) -> str:  # fmt: skip
    """Why this row cannot be applied to this run ('' when it can): `item` is the identity
    as this run sees it, `gone` what the inventory knows was removed, `assigned` the owner an
    earlier reassign named (who may decide too)."""
    day = datetime.date.fromisoformat(row.decided_on)
    if item is None:
        if row.key in gone:
            return f"no longer declared in {row.repository} (gone since {gone[row.key]})"
        if row.repository not in reported:
            return f"{row.repository} is not among this run's reports"
        return f"no such identity in {row.repository}"
    if day > as_of:
        return f"decided_on {row.decided_on} is after this run's date ({as_of.isoformat()})"
    if row.action == KEEP and until(row, attest_days) < as_of:
        return (f"expired on {until(row, attest_days).isoformat()} (a keep holds "
                f"{attest_days} days, --attest-days): decide again")  # fmt: skip
    if roster.state(row.decided_by) not in _PRESENT:
        return f"decided_by {row.decided_by} is {roster.state(row.decided_by)} in the roster"
    allowed = _people(
        roster,
        [
            *item.route_to,
            *(p.reference for p in item.people if p.role == "owner"),
            *reviewers,
            assigned,
        ],
    )
    if roster.canonical(row.decided_by) not in allowed:
        routed = ", ".join(item.route_to) or "nobody"
        return (f"decided_by {row.decided_by} may not decide: not its decider ({routed}), "
                "an owner, or a --reviewer")  # fmt: skip
    if row.action == REASSIGN and roster.state(row.assign_to) not in _PRESENT:
        return (f"reassign_to {row.assign_to} is {roster.state(row.assign_to)}: it must be "
                "an active person or a team with active members")  # fmt: skip
    return ""


def _people(roster: Roster, references: Iterable[str]) -> frozenset[str]:
    """Everyone the references name: a person, or every member of a team."""
    found: set[str] = set()
    for reference in filter(None, references):
        found |= roster.members(reference) if roster.is_team(reference) \
            else {roster.canonical(reference)}  # fmt: skip
    return frozenset(found)


def fingerprint(item: Resolved, action: str) -> str:
    """Who the identity's people are (and, for a keep, their states): a keep lapses when its
    people change, a reassign when the repository names other people."""
    return ";".join(sorted(f"{p.role}:{p.person}" + (f":{p.state}" if action == KEEP else "")
                           for p in item.people))  # fmt: skip
