"""The organisation pipeline: collect reports -> resolve people -> evaluate org policies ->
route -> record in the inventory -> notify. `run()` is the only function that knows every
stage; reading it top to bottom is the organisation side's architecture, as `pipeline.scan`
is the scan side's. Each stage is a module here: `inputs` (files), `github` (every GitHub
call), `resolve` (pure: people, policies, routes), `inventory` (SQLite), `notify` (issues),
`output` and `inventory_output` (rendering).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scanner import collector
from scanner.aggregate.connect import client
from scanner.aggregate.options import GitHubOptions, Options

# The stages are imported where `run` reaches them: `nhi inventory` imports this package for
# its `inventory` module alone, and reading reports pulls in the scanners (60 ms, #25).
if TYPE_CHECKING:
    from scanner.aggregate.github import Collected
    from scanner.aggregate.inventory import History
    from scanner.aggregate.resolve import Aggregate
    from scanner.model import Report
    from scanner.roster import Roster

__all__ = ["GitHubOptions", "Options", "Outcome", "collect_only", "matrix", "run"]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """Everything one aggregator run produced, built whole at its end."""

    aggregate: Aggregate
    roster: Roster
    reports: tuple[Report, ...]  # kept only for the HTML map (Options.keep_reports)
    history: History | None  # None with --no-db
    messages: tuple[str, ...]  # for stderr: repositories that could not be collected, issues

    def render(self, fmt: str) -> Iterable[str]:
        """The result in one of `FORMATS`, streamed in pieces."""
        if fmt == "html":  # the organisation's lineage map
            from scanner.lineage.view import organisation_map

            return organisation_map(self.reports, self.aggregate)
        from scanner.aggregate.output import RENDERERS

        return RENDERERS[fmt](self.aggregate, self.history)


FORMATS = ("csv", "html", "json", "markdown", "text")


def run(options: Options, progress: Progress | None = None) -> Outcome:
    """One aggregator run, start to end."""
    from scanner.aggregate import inputs

    paths, failures, origins = list(options.reports), [], {}
    if options.github is not None and not options.no_collect:
        folder, collected = _collect(options.github, options.reports_dir, progress)
        paths += collected.reports
        failures = list(collected.failures)
        origins = inputs.report_origins(folder, collected.reports)
    prepared = None
    if options.observed or options.observe_github:  # cloud and GitHub exports (#26)
        from scanner.observed import stage

        prepared, refused = stage.prepare(options.observed, options.github,
                                          options.observe_github, options.reports_dir)  # fmt: skip
        failures += refused
    with collector.paused():  # reading, resolving, recording: many objects, no cycles
        result, roster, kept = inputs.read_and_resolve(
            paths, options.rosters, roster_format=options.roster_format, teams=options.teams,
            people_map=options.people_map, as_of=options.as_of, default_owner=options.default_owner,
            github=options.github, roster_columns=options.roster_columns, failures=failures,
            origins=origins, keep_reports=options.keep_reports, warn_days=options.warn_days,
            environments=options.environments,
            on_report=prepared.collector.add if prepared else None,
        )  # fmt: skip
        from scanner.aggregate import changes

        result = _review(options, result, roster)
        if prepared is not None:
            result = stage.observe(result, roster, prepared, options.as_of, options.default_owner)
        history, writer = None, None
        if options.db is not None:
            from scanner.aggregate import inventory

            writer = changes.Writer(result, options.as_of.isoformat())
            history = inventory.record(options.db, result, options.as_of, hook=writer)
    result = changes.finish(result, writer)
    messages = [f"nhi: {name}: {reason}" for name, reason in failures]
    messages += [f"nhi: {line}" for line in result.review.problems] if result.review else []
    if result.observed is not None:  # an export that cannot be used, said whatever the format
        messages += [f"nhi: {name}: {reason}" for name, reason in result.observed.rejected]
    if options.github is not None and options.open_issues:
        messages += _notify(options.github, result, roster, history, dry_run=options.dry_run)
    return Outcome(aggregate=result, roster=roster, reports=tuple(kept), history=history,
                   messages=tuple(messages))  # fmt: skip


def _review(options: Options, result: Aggregate, roster: Roster) -> Aggregate:
    """Decisions (files, and those the inventory recorded) and handovers applied (#24)."""
    from scanner.aggregate import changes, decisions, review

    rows, problems = decisions.load(options.decisions)
    settings = review.Settings(as_of=options.as_of, attest_days=options.attest_days,
                               reviewers=options.reviewers)  # fmt: skip
    return review.apply(result, roster, settings, rows, problems, changes.stored(options.db))


def collect_only(
    github: GitHubOptions, reports_dir: Path | None, progress: Progress | None = None
) -> tuple[str, ...]:
    """A shard job: collect reports into `reports_dir`, aggregate nothing; what to print."""
    folder, collected = _collect(github, reports_dir, progress)
    return (
        *(f"nhi: {name}: {reason}" for name, reason in collected.failures),
        f"nhi: collected into {folder}: reports {len(collected.reports)}, without a report "
        f"{len(collected.missing)}, failed {len(collected.failures)}",
    )


def matrix(github: GitHubOptions) -> dict[str, list[dict[str, int]]]:
    """The job matrix for a sharded organisation run (`--list-repos`)."""
    shards: dict[str, list[dict[str, int]]] = client().matrix(github)
    return shards


def _collect(
    github: GitHubOptions, reports_dir: Path | None, progress: Progress | None
) -> tuple[Path, Collected]:
    folder = reports_dir or Path(tempfile.mkdtemp(prefix="nhi-reports-"))
    collected: Collected = client().from_github(github, folder, progress)
    return folder, collected


def _decided(result: Aggregate, roster: Roster) -> dict[str, dict[str, tuple[str, str, str]]]:
    """Per repository: each identity a decision or a handover settled, what settled it, and
    whom to mention: the decider, or the new owner."""
    found: dict[str, dict[str, tuple[str, str, str]]] = {}
    review = result.review
    for d in review.decisions if review else ():
        found.setdefault(d.repository, {})[d.identity] = (
            d.describe(), roster.canonical(d.decided_by), "Decided by")  # fmt: skip
    for h in review.handovers if review else ():
        found.setdefault(h.repository, {})[h.identity] = (
            f"handed over to {', '.join(h.owners)}", h.owners[0], "Handed over to")  # fmt: skip
    return found


def _notify(
    github: GitHubOptions, result: Aggregate, roster: Roster, history: History | None,
    *, dry_run: bool,
) -> list[str]:  # fmt: skip
    """Open, update or close one issue per repository; what was done (or would be)."""
    edge = client()
    from scanner.aggregate import notify
    from scanner.aggregate.output import leaving

    asks = [*result.orphans, *leaving(result)]  # people leaving soon too (#23)
    touched = [o.repository for o in asks]
    touched += [r.repository for r in (history.resolved if history else ())]
    decided = _decided(result, roster)  # ticked off, the decider mentioned once (#24)
    touched += list(decided)
    actions, problems = notify.sync_all(edge.organisation(github).repository, asks, touched,
                                        edge.logins(roster), dry_run=dry_run,
                                        decided=decided)  # fmt: skip
    return [f"nhi: {'would ' if dry_run else ''}{action.describe()}" for action in actions] + [
        f"nhi: {name}: cannot update its issue: {reason}" for name, reason in problems
    ]
