"""`nhi aggregate`, `nhi inventory` and `nhi lineage`: the organisation side's commands
(wiring only: options in, one library call, rendered output)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from pathlib import Path

import click

from scanner import collector, git
from scanner.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    VERBOSE_OPTION,
    ci_repository,
    echo,
    emit,
    format_files,
    progress,
)
from scanner.query import FILTERS


def filter_options(command: Callable[..., int]) -> Callable[..., int]:
    """One option per `scanner.query.FILTERS` entry, in the table's order."""
    for name, spec in reversed(FILTERS.items()):
        flag = "--" + name.replace("_", "-")
        if spec.value == "flag":
            command = click.option(flag, name, is_flag=True, help=spec.help)(command)
        else:
            kind = click.IntRange(min=0) if spec.value == "int" else click.STRING
            command = click.option(flag, name, type=kind, metavar=spec.metavar,
                                   help=spec.help)(command)  # fmt: skip
    return command


# scanner.lineage.view.FORMATS, spelled out so that starting the CLI does not import the
# lineage views (tests/lineage/test_lineage_view.py keeps the two equal).
LINEAGE_FORMATS = ("html", "json", "mermaid", "text")


@click.command("lineage")
@click.option(
    "--repo",
    "repos",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Repository to scan; repeat to see several together. Default: the current one.",
)
@click.option(
    "--inventory",
    "inventory_db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Answer from the organisation's inventory (nhi aggregate --db) instead of scanning.",
)
@click.option("--person", metavar="EMAIL", help="An email, @login or @org/team.")
@click.option("--identity", "identity_id", metavar="ID", help="An identity id (path#pointer).")
@click.option(
    "--roster",
    "rosters",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="IdP roster (repeatable): every alias of a person (emails, logins) is one person.",
)
@click.option(
    "--people-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="More aliases: a YAML/JSON map of login or email to the person's email.",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(LINEAGE_FORMATS)
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
@VERBOSE_OPTION
def lineage_command(
    repos: tuple[Path, ...],
    inventory_db: Path | None,
    person: str | None,
    identity_id: str | None,
    rosters: tuple[Path, ...],
    people_map: Path | None,
    fmt: str,
    output: Path | None,
) -> int:
    """What a person provisioned or owns (or one identity): reach, links, consumers, orphans."""
    from scanner import pipeline, policy
    from scanner.lineage import view as lineage_view
    from scanner.roster import normalise

    if (person is None) == (identity_id is None) and not (fmt == "html" and identity_id is None):
        raise click.UsageError("give exactly one of --person and --identity")
    if inventory_db is not None:
        if rosters or people_map:
            raise click.UsageError("--inventory already knows every alias: drop --roster and "
                                   "--people-map (they are read by nhi aggregate)")  # fmt: skip
        return _lineage_from_inventory(inventory_db, repos, person, fmt, output)
    roots = repos or (git.toplevel(Path.cwd()) or Path.cwd(),)
    options = pipeline.Options(policies=policy.builtin(), repository_name=ci_repository())
    canonical: Callable[[str], str] = normalise
    if rosters or people_map:
        from scanner.aggregate import inputs

        canonical = inputs.people(rosters, people_map=people_map,
                                  as_of=datetime.date.today()).canonical  # fmt: skip
    reports = [pipeline.scan(root, options=options) for root in roots]
    emit(lineage_view.render(reports, person=person, identity=identity_id, fmt=fmt,
                             canonical=canonical), output, fmt)  # fmt: skip
    return EXIT_OK


def _lineage_from_inventory(
    db: Path, repos: tuple[Path, ...], person: str | None, fmt: str, output: Path | None
) -> int:
    """Everything a person provisioned or owns across the organisation, from the inventory:
    each identity's state, reach and people (the map needs the reports: aggregate --format
    html)."""
    from scanner.aggregate import inventory
    from scanner.aggregate.inventory_output import render_json, render_text

    if repos or person is None or fmt not in ("json", "text"):
        raise click.UsageError(
            "--inventory takes --person and --format text or json (not --repo or --identity; "
            "for the map, nhi aggregate --format html)"
        )
    if fmt == "json":
        emit(render_json(inventory.answers(db, person=person)), output, fmt)
    else:
        emit(render_text(inventory.query(db, person=person)), output, fmt)
    return EXIT_OK


# scanner.aggregate.FORMATS, spelled out so that starting the CLI does not import the
# aggregator (tests/test_cli.py keeps the two equal).
AGGREGATE_FORMATS = ("csv", "html", "json", "markdown", "text")
# scanner.roster.ROSTER_FORMATS and CSV_FIELDS, spelled out so `nhi --version` need not import
# the rosters (tests/roster/test_roster.py keeps them equal).
ROSTER_FORMAT_NAMES = ("csv", "entra", "entra-csv", "google", "okta", "okta-csv", "scim")
ROSTER_FIELDS = ("email", "status", "manager", "github_login", "name", "aliases", "leave_date",
                 "id")  # fmt: skip


def _roster_columns(values: tuple[str, ...]) -> dict[str, str]:
    columns = {}
    for value in values:
        field, sep, header = value.partition("=")
        if not sep or not header or field not in ROSTER_FIELDS:
            raise click.BadParameter(
                f"{value!r}: expected FIELD=HEADER with FIELD one of {', '.join(ROSTER_FIELDS)}",
                param_hint="'--roster-columns'",
            )
        columns[field] = header
    return columns


@click.command("aggregate")
@click.argument("reports", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--roster",
    "rosters",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An IdP export (Okta, Entra ID, Google, SCIM or CSV). Repeatable.",
)
@click.option(
    "--roster-format",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *ROSTER_FORMAT_NAMES]),
)
@click.option(
    "--roster-columns",
    multiple=True,
    metavar="FIELD=HEADER",
    callback=lambda _ctx, _param, values: _roster_columns(values),
    help="A CSV roster's header for one of our fields (email, status, manager, github_login, "
    "name, aliases, leave_date, id), or for a JSON roster a dotted path into each user "
    "(leave_date=profile.contractEndDate). Repeatable.",
)
@click.option(
    "--teams",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='YAML or JSON: {"@org/team": [login or email, ...]}.',
)
@click.option(
    "--people-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='YAML or JSON: {"login or email": "roster email"}.',
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge leave dates as of this day (default: today).",
)
@click.option("--default-owner", metavar="EMAIL", help="Who decides when nobody else can.")
@click.option(
    "--environments",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='YAML or JSON: {"account id, project id or repository": "environment"}.',
)
@click.option("--warn-days", type=click.IntRange(min=0), default=30, show_default=True,
              help="Warn about people leaving within this many days.")  # fmt: skip
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default="nhi-inventory.sqlite",
    show_default=True,
    help="The SQLite inventory this run is recorded in.",
)
@click.option("--no-db", is_flag=True, help="Record nothing: no inventory, no history.")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(AGGREGATE_FORMATS),
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--github-org", metavar="ORG", help="Collect reports from this organisation "
              "(token from GITHUB_TOKEN).")  # fmt: skip
@click.option("--github-url", default="https://api.github.com", show_default=True,
              help="API URL (GitHub Enterprise Server: https://HOST/api/v3).")  # fmt: skip
@click.option("--artifact-name", default="nhi-report", show_default=True,
              help="The report artifact each repository's workflow uploads.")  # fmt: skip
@click.option("--include-archived", is_flag=True, help="Also archived repositories.")
@click.option("--include-forks", is_flag=True, help="Also forks.")
@click.option("--clone-missing", is_flag=True, help="Clone and scan repositories with no "
              "report artifact.")  # fmt: skip
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Repositories cloned and scanned at once.")  # fmt: skip
@click.option("--reports-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep collected reports here (default: a temporary folder).")  # fmt: skip
@click.option("--list-repos", is_flag=True, help="Print the job matrix for --shards and exit.")
@click.option("--shards", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--shard", type=click.IntRange(min=0), help="Collect only this shard (0-based).")
@click.option("--collect-only", is_flag=True, help="Collect reports into --reports-dir; no "
              "aggregation (a shard job).")  # fmt: skip
@click.option("--open-issues", is_flag=True, help="Open or update one issue per repository "
              "listing its orphans; close it when none is left.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="With --open-issues: print the actions only.")
@click.option(
    "--no-collect",
    is_flag=True,
    help="With --github-org: aggregate only the REPORTS given (collected by shard jobs); "
    "GitHub then answers for teams and issues.",
)
@click.option("--observed", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="A cloud or GitHub export of what is live (AWS credential "
              "report, gcloud, Graph, GitHub secrets JSON), joined with the reports. "
              "Repeatable; the format is detected.")  # fmt: skip
@click.option(
    "--observe-github",
    is_flag=True,
    help="With --github-org: also read the "
    "organisation's secrets, deploy keys, tokens and app installations (saved as "
    "observed-github.json in --reports-dir) and join them like an --observed file.",
)
@click.option("--write", "extra_outputs", multiple=True, metavar="FORMAT=FILE",
              callback=lambda _ctx, _param, values: format_files(values, AGGREGATE_FORMATS),
              help="Also write the result in FORMAT to FILE. Repeatable "
              "(e.g. --write csv=access-review.csv).")  # fmt: skip
@click.option("--decisions", "decision_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Decisions: the CSV review sheet filled in, or a YAML file (keep, reassign, "
              "revoke). Repeatable.")  # fmt: skip
@click.option("--attest-days", type=click.IntRange(min=1), default=90, show_default=True,
              help="How many days a keep decision holds.")  # fmt: skip
@click.option(
    "--reviewer",
    "reviewers",
    multiple=True,
    metavar="EMAIL|@ORG/TEAM",
    help="May decide on any identity, besides its decider and owners. Repeatable.",
)
@VERBOSE_OPTION
def aggregate_command(
    reports: tuple[Path, ...], rosters: tuple[Path, ...], roster_format: str,
    roster_columns: dict[str, str],
    teams: Path | None, people_map: Path | None, as_of: datetime.datetime | None,
    default_owner: str | None, db: Path, no_db: bool, fmt: str, output: Path | None,
    github_org: str | None, github_url: str, artifact_name: str, include_archived: bool,
    include_forks: bool, clone_missing: bool, jobs: int, reports_dir: Path | None,
    list_repos: bool, shards: int, shard: int | None, collect_only: bool, open_issues: bool,
    dry_run: bool, no_collect: bool, extra_outputs: tuple[tuple[str, Path], ...], warn_days: int,
    decision_files: tuple[Path, ...], attest_days: int, reviewers: tuple[str, ...],
    environments: Path | None = None,
    observed: tuple[Path, ...] = (), observe_github: bool = False,
) -> int:  # fmt: skip
    """Merge REPORTS (files or folders of JSON reports) with IdP rosters: find orphans."""
    import json

    from scanner import aggregate

    gh = None if github_org is None else aggregate.GitHubOptions(
        org=github_org, token=os.environ.get("GITHUB_TOKEN") or None, base_url=github_url,
        artifact=artifact_name, archived=include_archived, forks=include_forks,
        clone_missing=clone_missing, jobs=jobs, shard=shard, shards=shards)  # fmt: skip
    if (list_repos or collect_only or open_issues or no_collect or observe_github) and gh is None:
        raise click.UsageError("--list-repos, --collect-only, --no-collect, --open-issues and "
                               "--observe-github need --github-org")  # fmt: skip
    if shard is not None and shard >= shards:
        raise click.UsageError(f"--shard {shard} is out of range: shards are 0 to {shards - 1}")
    if gh is not None and list_repos:
        echo(json.dumps(aggregate.matrix(gh)))
        return EXIT_OK
    if gh is not None and collect_only and not no_collect:
        for line in aggregate.collect_only(gh, reports_dir, progress):
            echo(line, err=True)
        return EXIT_OK
    if not rosters:
        raise click.UsageError("give at least one --roster")
    options = aggregate.Options(
        reports=reports, rosters=rosters, as_of=(as_of or datetime.datetime.now()).date(),
        roster_format=roster_format, roster_columns=roster_columns, teams=teams,
        people_map=people_map, default_owner=default_owner, warn_days=warn_days,
        db=None if no_db else db, github=gh, reports_dir=reports_dir, no_collect=no_collect,
        open_issues=open_issues, dry_run=dry_run, environments=environments,
        keep_reports="html" in (fmt, *(name for name, _ in extra_outputs)),
        decisions=decision_files, attest_days=attest_days, reviewers=reviewers,
        observed=observed, observe_github=observe_github,
    )  # fmt: skip
    outcome = aggregate.run(options, progress)
    for line in outcome.messages:
        echo(line, err=True)
    with collector.paused():  # rendering 500,000 identities: many objects, no cycles
        for extra_format, path in extra_outputs:
            emit(outcome.render(extra_format), path)
        emit(outcome.render(fmt), output, fmt)
    seen = outcome.aggregate.observed
    return EXIT_FINDINGS if outcome.aggregate.orphans or (seen and seen.findings) else EXIT_OK


@click.command("inventory")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default="nhi-inventory.sqlite",
    show_default=True,
)
@filter_options
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only what runs recorded on or after this day (new, decided, resolved...).",
)
@click.option(
    "--new", is_flag=True, help="Only identities first seen (by the last run, or since --since)."
)
@click.option("--decided", is_flag=True, help="Only identities with a decision or handover.")
@click.option("--pending", is_flag=True, help="Only identities waiting for a decision or a "
              "revocation.")  # fmt: skip
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["csv", "json", "text"])
)
@VERBOSE_OPTION
def inventory_command(
    db: Path, fmt: str, since: datetime.datetime | None = None, new: bool = False,
    decided: bool = False, pending: bool = False, **filters: object,
) -> int:  # fmt: skip
    """Query the inventory: what does alice own, which access keys are orphaned in repo X?
    Filters combine: every one given must hold."""
    from scanner.aggregate import changes, inventory
    from scanner.aggregate.inventory_output import RENDERERS, render_json

    day = since.date().isoformat() if since else None
    with collector.paused():  # a broad question builds 100,000 answers, no cycles
        if fmt == "json":  # the texts the inventory completes
            answers = changes.select(db, inventory.answers(db, filters), since=day, new=new,
                                     decided=decided, pending=pending)  # fmt: skip
            emit(render_json(answers), None, fmt)
        else:
            entries = changes.select(db, inventory.query(db, filters), since=day, new=new,
                                     decided=decided, pending=pending)  # fmt: skip
            emit(RENDERERS[fmt](entries), None, fmt)
    return EXIT_OK
