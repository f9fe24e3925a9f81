"""The aggregator's file edge: read report, roster, teams and people-map files, then stream
the reports through the pure `resolve.aggregate`."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from scanner import lineage, policy
from scanner.aggregate import duplicates
from scanner.aggregate.options import GitHubOptions
from scanner.aggregate.resolve import Aggregate, aggregate
from scanner.decode import export_text
from scanner.errors import ReportError, RosterError
from scanner.model import Report
from scanner.reach.environment import load as load_environments
from scanner.reporters.json import from_json
from scanner.roster import People, Roster, Team, detect, parse, parse_teams
from scanner.roster.notes import roster_notes
from scanner.roster.parse import WORKBOOK


def read_and_resolve(
        reports: Iterable[Path], rosters: Iterable[Path], *, roster_format: str = "auto",
        teams: Path | None = None, people_map: Path | None = None,
        as_of: datetime.date, default_owner: str | None = None,
        github: GitHubOptions | None = None, roster_columns: Mapping[str, str] | None = None,
        failures: Iterable[tuple[str, str]] = (), origins: Mapping[Path, str] | None = None,
        keep_reports: bool = False, warn_days: int = 30, environments: Path | None = None,
        on_report: Callable[[Report], None] | None = None,
        ) -> tuple[Aggregate, Roster, list[Report]]:  # fmt: skip
    """Read the rosters, then stream the reports through the aggregator one at a time (only
    the resolved identities are kept, never a whole report); `failures` (repositories GitHub
    could not give us) are listed first among the rejected. Links between repositories are
    gathered on the way; the reports themselves are kept only when asked (the HTML map).

    `on_report` sees each report as it streams by (the observed join keeps its keys).

    With `github`, a report collected from a repository's artifact (`origins`, and the
    reports-dir layout of folders given in `reports`) must name that repository."""
    reports = list(reports)
    files = report_files(reports)
    expected = dict(origins or {})
    if github is not None:
        for folder in (path for path in reports if path.is_dir()):
            expected.update(report_origins(folder, report_files([folder])))
    by_file = {str(path): _roster_file(path, as_of, roster_format, roster_columns, warn_days)
               for path in rosters}  # fmt: skip
    people = [p for _, found in by_file.values() for p in found]
    team_members: dict[str, Team | list[str]] = {**_teams(teams)}
    team_notes: tuple[str, ...] = ()
    if github is not None:  # PyGithub and requests: loaded only for --github-org
        from scanner.aggregate.connect import client

        lookup = client().teams_from_github(github, files, known=team_members)
        team_members = {**lookup.members, **team_members}
        team_notes = lookup.notes()
    roster = Roster(people, teams=team_members, people_map=_people_map(people_map), as_of=as_of)
    # The policies about what exports say (#26) run in the observed stage, not on reports.
    org = [p for p in policy.builtin() if p.scope == "org" and not policy.needs_exports(p)]
    rejected = list(failures)
    cross, kept = lineage.Across(), []

    shallow: list[str] = []

    def reading() -> Iterator[Report]:
        for report in read_reports(files, rejected, expected):
            cross.add(report)
            if report.repository.shallow:
                shallow.append(report.repository.name)
            if keep_reports:
                kept.append(report)
            if on_report is not None:
                on_report(report)
            yield report

    try:
        result = aggregate(
            reading(),
            roster,
            org,
            default_owner,
            load_environments(environments) if environments else {},
        )
    except RosterError as error:  # only --teams can nest (GitHub's teams come flat)
        raise RosterError(f"{teams}: {error}") from None
    if not result.repositories:
        reasons = "; ".join(f"{source}: {reason}" for source, reason in rejected) or "none given"
        raise ReportError(f"no report could be read ({reasons})")
    copies = duplicates.find(result.identities, org)  # within and across repositories (#25)
    marked = duplicates.links(copies)
    identities = tuple(dataclasses.replace(r, facets=(*r.facets, marked[r.key]))
                       if r.key in marked else r for r in result.identities)  # fmt: skip
    result = dataclasses.replace(
        result,
        identities=identities,
        duplicates=copies,
        rejected=(*rejected, *result.rejected),
        links=cross.links(),
        local_links=tuple(cross.within),
        notes=team_notes
        + _shallow_note(shallow)
        + roster_notes(
            roster,
            by_file,
            (p.reference for r in result.identities for p in r.people if p.state == "unknown"),
        ),
    )
    return result, roster, kept


def _shallow_note(names: list[str]) -> tuple[str, ...]:
    """The reports made on a shallow clone: nobody in them could be named as provisioner."""
    if not names:
        return ()
    listed = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
    return (f"made on a shallow clone: {listed} ({len(names)} of the reports); nobody there "
            "can be named as provisioner, so no departure can be told from them: scan with the "
            "full history (actions/checkout fetch-depth: 0)",)  # fmt: skip


def _roster_file(
    path: Path, as_of: datetime.date, fmt: str, columns: Mapping[str, str] | None, warn_days: int
) -> tuple[str, People]:
    """One roster file's format and people (with what the export says about itself).

    A file that is not UTF-8 is read as Windows-1252, what Excel's "CSV (Comma delimited)"
    writes on a Western Windows (learn.microsoft.com, "Import or export text (.txt or .csv)
    files"): the addresses are ASCII either way, and the output says how it was read."""
    data, note = _bytes(path, RosterError), None
    try:
        text = export_text(data)  # a BOM or UTF-16: saved by Excel, PowerShell
    except UnicodeDecodeError as problem:
        if data.startswith(b"PK\x03\x04"):
            raise RosterError(f"{path}: {WORKBOOK}") from None
        if b"\0" in data[:8192]:  # binary
            raise RosterError(f"{path}: cannot be read ({problem})") from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:  # one of the five bytes Windows-1252 leaves undefined
            raise RosterError(f"{path}: cannot be read (neither UTF-8 nor Windows-1252)") \
                from None  # fmt: skip
        note = (
            f'{path}: not UTF-8, read as Windows-1252 (Excel\'s "CSV (Comma delimited)"); '
            'names with accents are right only if it was: export "CSV UTF-8" to be sure'
        )
    people = parse(text, str(path), as_of, fmt, columns, warn_days)
    if note is not None:
        people.notes += (note,)
    return (detect(text) if fmt == "auto" else fmt), people


def people(rosters: Iterable[Path], *, teams: Path | None = None, people_map: Path | None = None,
           as_of: datetime.date, roster_format: str = "auto") -> Roster:  # fmt: skip
    """The rosters alone, merged: the people `nhi scan --roster` judges owners against."""
    found = [p for path in rosters for p in _roster_file(path, as_of, roster_format, None, 30)[1]]
    return Roster(found, teams=dict(_teams(teams)), people_map=_people_map(people_map),
                  as_of=as_of)  # fmt: skip


def report_files(paths: Iterable[Path]) -> list[Path]:
    """The given files, and the JSON files under the given folders (sorted)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return files


def read_reports(files: Iterable[Path], rejected: list[tuple[str, str]],
                 origins: Mapping[Path, str] | None = None) -> Iterator[Report]:  # fmt: skip
    """Each report that reads, validates and names the repository it came from (`origins`,
    when known); the others are appended to `rejected`."""
    for file in files:
        try:
            report = from_json(_read(file, ReportError), str(file))
        except ReportError as error:
            rejected.append((str(file), str(error).removeprefix(f"{file}: ")))
            continue
        origin = (origins or {}).get(file)
        # A report's word about itself is no proof: one from repository A that says it is B
        # would replace B's real report (#16).
        if origin is not None and report.repository.name.lower() != origin.lower():
            claim = report.repository.name
            rejected.append((str(file), f"came from {origin}'s artifact but says it is {claim!r}"))
            continue
        yield report


def report_origins(root: Path, files: Iterable[Path]) -> dict[Path, str]:
    """The repository each collected file came from, by the reports-dir layout that
    `from_github` writes: `artifacts/OWNER__NAME/...` and `clones/OWNER__NAME/report.json`."""
    found, top = {}, root.resolve()
    for file in files:
        where = file.resolve()
        parts = where.relative_to(top).parts if where.is_relative_to(top) else ()
        if len(parts) >= 3 and parts[0] in ("artifacts", "clones") and "__" in parts[1]:
            found[file] = parts[1].replace("__", "/", 1)
    return found


def _read(path: Path, error: type[Exception]) -> str:
    try:
        return export_text(_bytes(path, error))  # a BOM or UTF-16: saved by Excel, PowerShell
    except UnicodeDecodeError as problem:
        raise error(f"{path}: cannot be read ({problem})") from None


def _bytes(path: Path, error: type[Exception]) -> bytes:
    try:
        return path.read_bytes()
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem})") from None


def _mapping(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    text = _read(path, RosterError)
    try:
        document = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError, RecursionError):
        raise RosterError(f"{path}: not valid {path.suffix.lstrip('.').upper() or 'JSON'}") \
            from None  # fmt: skip
    if not isinstance(document, Mapping):
        raise RosterError(f"{path}: expected a mapping")
    return dict(document)


def _teams(path: Path | None) -> dict[str, Team]:
    """`--teams`: `{"@org/team": ["login", "email", ...]}`, or per team a mapping with
    `members`, `lead` and `successor` (scanner/roster/teams.py)."""
    return parse_teams(_mapping(path), str(path))


def _people_map(path: Path | None) -> dict[str, str]:
    """`--people-map`: `{"login or email": "person's email"}`."""
    mapping = _mapping(path)
    for key, value in mapping.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise RosterError(f"{path}: {_quote(key)} must map to an email, not a list or number")
    return mapping


def _quote(key: object) -> str:
    text = str(key)
    return repr(text if len(text) <= 60 else text[:57] + "...")
