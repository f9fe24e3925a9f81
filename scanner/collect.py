"""The aggregator's edge: read report and roster files, then call the pure `aggregate`."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from scanner import policy
from scanner.aggregate import Aggregate, aggregate
from scanner.errors import ReportError, RosterError
from scanner.model import Report
from scanner.reporters.json import from_json
from scanner.roster import Roster, parse


def run(reports: Iterable[Path], rosters: Iterable[Path], *, roster_format: str = "auto",
        teams: Path | None = None, people_map: Path | None = None,
        as_of: datetime.date, default_owner: str | None = None) -> Aggregate:  # fmt: skip
    good, rejected = read_reports(reports)
    if not good:
        reasons = "; ".join(f"{source}: {reason}" for source, reason in rejected) or "none given"
        raise ReportError(f"no report could be read ({reasons})")
    people = [p for path in rosters for p in parse(_read(path, RosterError), str(path), as_of,
                                                   roster_format)]  # fmt: skip
    roster = Roster(people, teams=_mapping(teams), people_map=_mapping(people_map))
    org = [p for p in policy.builtin() if p.scope == "org"]
    return aggregate(good, roster, org, rejected, default_owner)


def read_reports(paths: Iterable[Path]) -> tuple[list[Report], list[tuple[str, str]]]:
    """Every JSON report in the given files and folders; the ones that fail are set aside."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    good: list[Report] = []
    rejected: list[tuple[str, str]] = []
    for file in files:
        try:
            good.append(from_json(_read(file, ReportError), str(file)))
        except ReportError as error:
            rejected.append((str(file), str(error).removeprefix(f"{file}: ")))
    return good, rejected


def _read(path: Path, error: type[Exception]) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot be read ({problem})") from None


def _mapping(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    text = _read(path, RosterError)
    try:
        document = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError):
        raise RosterError(f"{path}: not valid {path.suffix.lstrip('.').upper() or 'JSON'}") \
            from None  # fmt: skip
    if not isinstance(document, Mapping):
        raise RosterError(f"{path}: expected a mapping")
    return dict(document)
