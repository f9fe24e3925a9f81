"""The `nhi` command line: options in, one library call, rendered output, an exit code out.

Click objects never leave this module. `main` is the one error handler: it maps our errors to
the documented exit codes (README, "Exit codes") and turns anything else into a short
"please report" message (with the traceback only under --verbose).
"""

from __future__ import annotations

import datetime
import io
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner import __version__, git
from scanner.errors import ConfigError, PolicyError, ScannerError
from scanner.model import Report, Severity

if TYPE_CHECKING:
    from scanner.policy import Directory

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
ISSUES_URL = "https://github.com/nhi-scanner/nhi-scanner/issues"
_SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]
NEVER = "none"  # --fail-on none: report only, findings never fail the run


def _reporter_names() -> list[str]:
    from scanner.reporters import REPORTERS

    return sorted(REPORTERS)


# scanner.lineage.view.FORMATS, spelled out so that starting the CLI does not import the
# lineage views (tests/test_lineage_view.py keeps the two equal).
LINEAGE_FORMATS = ("html", "json", "mermaid", "text")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhi")
def cli() -> None:
    """Find the non-human identities a repository declares and the humans accountable for them."""


REPO_OPTION = click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Repository (or folder). Default: the git work tree around the current directory, "
    "else the current directory.",
)
POLICIES_OPTION = click.option(
    "--policies",
    "policy_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Policy file or folder to add (or to override a built-in with the same id). Repeatable.",
)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@REPO_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_reporter_names()),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--write",
    "extra_outputs",
    multiple=True,
    metavar="FORMAT=FILE",
    callback=lambda _ctx, _param, values: _format_files(values, _reporter_names()),
    help="Also write the report in FORMAT to FILE, from the same scan. Repeatable "
    "(e.g. --write sarif=nhi.sarif --write json=nhi.json).",
)
@click.option(
    "--fail-on",
    type=click.Choice([*_SEVERITIES, NEVER]),
    default="high",
    show_default=True,
    help="Exit 1 when an open finding has this severity or a higher one (none: never).",
)
@POLICIES_OPTION
@click.option("--no-waivers", is_flag=True, help="Ignore every waiver, inline and in files.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge waiver expiry as of this date (YYYY-MM-DD). Default: today.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Findings listed in this baseline file do not fail the run.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every current finding to this baseline file and exit 0.",
)
@click.option(
    "--diff-base",
    metavar="REF",
    help="Fail only on identities added or changed since the merge base of REF and "
    "HEAD; older findings are reported as pre-existing.",
)
@click.option("--strict", is_flag=True, help="Exit 3 when any file could not be scanned.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Cache per-file results here. Default: $XDG_CACHE_HOME/nhi-scanner or "
    "~/.cache/nhi-scanner.",
)
@click.option("--no-cache", is_flag=True, help="Parse every file; read and write no cache.")
@click.option(
    "--bot-pattern",
    "bot_patterns",
    multiple=True,
    metavar="REGEX",
    help="Authors (name or email) that are bots and never provisioners, besides [bot] "
    "accounts, dependabot, renovate and github-actions. Repeatable.",
)
@click.option("--no-attribution", is_flag=True, help="Skip git blame and CODEOWNERS.")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Parser processes (0: one per core, up to 8).",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=5_000_000,
    show_default=True,
    help="Skip (and report) files larger than this many bytes.",
)
@click.option(
    "--file-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="A file whose parsing takes longer is skipped and reported as an error.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop parsing (and blaming) after this long: what was not reached is reported as "
    "errors and the report is still written.",
)
@click.option(
    "--roster",
    "rosters",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="IdP exports (as nhi aggregate reads them): an identity whose every owner has left "
    "is NHI102. Repeatable.",
)
@click.option(
    "--teams",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --roster: who is in each @org/team (as nhi aggregate reads it).",
)
@click.option("--verbose", is_flag=True, help="Show a traceback on internal errors.")
def scan(
    paths: tuple[Path, ...],
    repo: Path | None,
    fmt: str,
    output: Path | None,
    extra_outputs: tuple[tuple[str, Path], ...],
    fail_on: str,
    policy_paths: tuple[Path, ...],
    no_waivers: bool,
    today: datetime.datetime | None,
    baseline_file: Path | None,
    write_baseline: Path | None,
    diff_base: str | None,
    strict: bool,
    cache_dir: Path | None,
    no_cache: bool,
    bot_patterns: tuple[str, ...],
    no_attribution: bool,
    jobs: int,
    max_file_size: int,
    file_timeout: float,
    deadline: float | None,
    rosters: tuple[Path, ...],
    teams: Path | None,
    verbose: bool,
) -> int:
    """Scan PATHS (files or folders; default: the whole repository)."""
    from scanner import pipeline, policy
    from scanner.policy import baseline
    from scanner.reporters import REPORTERS

    root = repo or git.toplevel(Path.cwd()) or Path.cwd()
    day = (today or datetime.datetime.now()).date()
    if teams is not None and not rosters:
        raise click.UsageError("--teams needs --roster")
    options = pipeline.Options(
        directory=_people(rosters, teams, day) if rosters else None,
        max_file_size=max_file_size,
        repository_name=_ci_repository(),
        policies=policy.combine(policy.builtin(), policy.load_paths(policy_paths)),
        use_waivers=not no_waivers,
        today=(today or datetime.datetime.now()).date(),
        baseline=baseline.parse(_read(baseline_file)) if baseline_file else frozenset(),
        diff_base=diff_base,
        cache_dir=None if no_cache else (cache_dir or _cache_home()),
        jobs=jobs,
        attribution=not no_attribution,
        bot_patterns=_regexes(bot_patterns),
        file_timeout=file_timeout,
        deadline=deadline,
    )
    report = pipeline.scan(root, paths, options)
    if report.repository.shallow and not no_attribution:
        _echo(SHALLOW_NOTE, err=True)
    if write_baseline is not None:
        _write_baseline(root, write_baseline, baseline.render(report.findings))
        return EXIT_OK
    for extra_format, path in extra_outputs:
        _emit(REPORTERS[extra_format].render(report), path)
    _emit(REPORTERS[fmt].render(report), output, fmt)
    threshold = None if fail_on == NEVER else Severity[fail_on.upper()]
    return exit_code(report, threshold, strict=strict)


@cli.command()
@click.argument("identity_id", metavar="ID|PATH:LINE")
@REPO_OPTION
def explain(identity_id: str, repo: Path | None) -> int:
    """Show the evidence behind one identity's provisioner and owners (an id, or the
    path:line `nhi scan` prints)."""
    from scanner import explain as explaining
    from scanner import pipeline, policy
    from scanner.attribution import whitespace

    root = repo or git.toplevel(Path.cwd()) or Path.cwd()
    report = pipeline.scan(root, options=pipeline.Options(policies=policy.builtin()))
    subject = explaining.find(report, identity_id)
    top = git.toplevel(root) or root  # paths in the report are relative to the repository
    _echo(explaining.explain(report, subject, whitespace.notes(top, subject)), nl=False)
    return EXIT_OK


@cli.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build the sample organisation here (default: a new temporary folder).",
)
def demo(folder: Path | None) -> int:
    """Build a small sample organisation, scan it and show who is accountable."""
    from scanner.demo import run

    if folder is not None and folder.exists() and any(folder.iterdir()):
        raise ConfigError(f"{folder} is not empty; give a new or empty folder")
    _echo(run(folder), nl=False)
    return EXIT_OK


@cli.command("lineage")
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
    "--format", "fmt", default="text", show_default=True, type=click.Choice(LINEAGE_FORMATS)
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
def lineage_command(
    repos: tuple[Path, ...],
    inventory_db: Path | None,
    person: str | None,
    identity_id: str | None,
    fmt: str,
    output: Path | None,
) -> int:
    """What a person provisioned or owns (or one identity): reach, links, consumers, orphans."""
    from scanner import pipeline, policy
    from scanner.lineage import view as lineage_view

    if (person is None) == (identity_id is None) and not (fmt == "html" and identity_id is None):
        raise click.UsageError("give exactly one of --person and --identity")
    if inventory_db is not None:
        return _lineage_from_inventory(inventory_db, repos, person, fmt, output)
    roots = repos or (git.toplevel(Path.cwd()) or Path.cwd(),)
    options = pipeline.Options(policies=policy.builtin(), repository_name=_ci_repository())
    reports = [pipeline.scan(root, options=options) for root in roots]
    _emit(lineage_view.render(reports, person=person, identity=identity_id, fmt=fmt), output, fmt)
    return EXIT_OK


def _lineage_from_inventory(
    db: Path, repos: tuple[Path, ...], person: str | None, fmt: str, output: Path | None
) -> int:
    """Everything a person provisioned or owns across the organisation, from the inventory:
    each identity's state, reach and people (the map needs the reports: aggregate --format
    html)."""
    from scanner import inventory
    from scanner.inventory_output import RENDERERS

    if repos or person is None or fmt not in ("json", "text"):
        raise click.UsageError(
            "--inventory takes --person and --format text or json (not --repo or --identity; "
            "for the map, nhi aggregate --format html)"
        )
    _emit(RENDERERS[fmt](inventory.query(db, person=person)), output, fmt)
    return EXIT_OK


_AGGREGATE_FORMATS = ("csv", "html", "json", "markdown", "text")
# scanner.roster.ROSTER_FORMATS and CSV_FIELDS, spelled out so `nhi --version` need not import
# the rosters (tests/roster/test_roster.py keeps them equal).
ROSTER_FORMAT_NAMES = ("csv", "entra", "entra-csv", "google", "okta", "okta-csv", "scim")
ROSTER_FIELDS = ("email", "status", "manager", "github_login", "name", "aliases", "leave_date",
                 "id")  # fmt: skip


def _people(rosters: tuple[Path, ...], teams: Path | None, day: datetime.date) -> Directory:
    from scanner import collect

    return collect.people(rosters, teams=teams, as_of=day)


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


@cli.command("aggregate")
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
    type=click.Choice(_AGGREGATE_FORMATS),
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
@click.option("--write", "extra_outputs", multiple=True, metavar="FORMAT=FILE",
              callback=lambda _ctx, _param, values: _format_files(values, _AGGREGATE_FORMATS),
              help="Also write the result in FORMAT to FILE. Repeatable "
              "(e.g. --write csv=access-review.csv).")  # fmt: skip
def aggregate_command(
    reports: tuple[Path, ...], rosters: tuple[Path, ...], roster_format: str,
    roster_columns: dict[str, str],
    teams: Path | None, people_map: Path | None, as_of: datetime.datetime | None,
    default_owner: str | None, db: Path, no_db: bool, fmt: str, output: Path | None,
    github_org: str | None, github_url: str, artifact_name: str, include_archived: bool,
    include_forks: bool, clone_missing: bool, jobs: int, reports_dir: Path | None,
    list_repos: bool, shards: int, shard: int | None, collect_only: bool, open_issues: bool,
    dry_run: bool, no_collect: bool, extra_outputs: tuple[tuple[str, Path], ...], warn_days: int,
) -> int:  # fmt: skip
    """Merge REPORTS (files or folders of JSON reports) with IdP rosters: find orphans."""
    import json
    import tempfile

    from scanner import collect, inventory, notify
    from scanner.aggregate_output import RENDERERS, leaving

    gh = None if github_org is None else collect.GitHubOptions(
        org=github_org, token=os.environ.get("GITHUB_TOKEN") or None, base_url=github_url,
        artifact=artifact_name, archived=include_archived, forks=include_forks,
        clone_missing=clone_missing, jobs=jobs, shard=shard, shards=shards)  # fmt: skip
    if (list_repos or collect_only or open_issues or no_collect) and gh is None:
        raise click.UsageError(
            "--list-repos, --collect-only, --no-collect and --open-issues need --github-org"
        )
    if shard is not None and shard >= shards:
        raise click.UsageError(f"--shard {shard} is out of range: shards are 0 to {shards - 1}")
    if gh is not None and list_repos:
        _echo(json.dumps(collect.matrix(gh)))
        return EXIT_OK
    paths, failures, origins = list(reports), [], {}
    if gh is not None and not no_collect:
        folder = reports_dir or Path(tempfile.mkdtemp(prefix="nhi-reports-"))
        got = collect.from_github(gh, folder, _progress)
        paths, failures = paths + list(got.reports), list(got.failures)
        origins = collect.report_origins(folder, got.reports)
        for name, reason in failures:
            _echo(f"nhi: {name}: {reason}", err=True)
        if collect_only:
            _echo(f"nhi: collected into {folder}: reports {len(got.reports)}, "
                  f"without a report {len(got.missing)}, failed {len(failures)}",
                  err=True)  # fmt: skip
            return EXIT_OK
    if not rosters:
        raise click.UsageError("give at least one --roster")
    day = (as_of or datetime.datetime.now()).date()
    html = "html" in (fmt, *(name for name, _ in extra_outputs))
    result, roster, kept = collect.run(
        paths, rosters, roster_format=roster_format, teams=teams, people_map=people_map,
        as_of=day, default_owner=default_owner, github=gh, roster_columns=roster_columns,
        failures=failures, origins=origins, keep_reports=html,
        warn_days=warn_days)  # fmt: skip
    history = None if no_db else inventory.record(db, result, day)

    def rendered(name: str) -> Iterable[str]:
        if name == "html":  # the organisation's lineage map
            from scanner.lineage.view import organisation_map

            return organisation_map(kept, result)
        return RENDERERS[name](result, history)

    for extra_format, path in extra_outputs:
        _emit(rendered(extra_format), path)
    _emit(rendered(fmt), output, fmt)
    if gh is not None and open_issues:
        client = collect.organisation(gh)
        asks = [*result.orphans, *leaving(result)]  # people leaving soon too (#23)
        touched = [o.repository for o in asks]
        touched += [r.repository for r in (history.resolved if history else ())]
        actions, problems = notify.sync_all(client.repository, asks, touched,
                                            collect.logins(roster), dry_run=dry_run)  # fmt: skip
        for action in actions:
            _echo(f"nhi: {'would ' if dry_run else ''}{action.describe()}", err=True)
        for name, reason in problems:
            _echo(f"nhi: {name}: cannot update its issue: {reason}", err=True)
    return EXIT_FINDINGS if result.orphans else EXIT_OK


@cli.command("inventory")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default="nhi-inventory.sqlite",
    show_default=True,
)
@click.option("--person", metavar="EMAIL", help="Identities this person provisioned or owns.")
@click.option("--kind", help="Only this kind (e.g. aws_iam_access_key).")
@click.option("--repo", "repository", metavar="OWNER/NAME", help="Only this repository.")
@click.option("--orphaned", is_flag=True, help="Only identities orphaned now.")
@click.option(
    "--reach",
    metavar="admin|SERVICE",
    help="Only identities with admin reach, or able to act on SERVICE (s3, iam...).",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["csv", "json", "text"])
)
def inventory_command(
    db: Path, person: str | None, kind: str | None, repository: str | None, orphaned: bool,
    reach: str | None, fmt: str,
) -> int:  # fmt: skip
    """Query the inventory: what does alice own, which access keys are orphaned in repo X?"""
    from scanner import inventory
    from scanner.inventory_output import RENDERERS

    entries = inventory.query(db, person=person, kind=kind, repository=repository,
                              orphaned=orphaned, reach=reach)  # fmt: skip
    _emit(RENDERERS[fmt](entries), None, fmt)
    return EXIT_OK


@cli.group()
def policies() -> None:
    """List, show and validate policies."""


@policies.command("list")
@POLICIES_OPTION
def list_policies(policy_paths: tuple[Path, ...]) -> int:
    """List the built-in policies (and any added with --policies)."""
    from scanner import policy

    for item in policy.combine(policy.builtin(), policy.load_paths(policy_paths)):
        _echo(f"{item.id}  {item.severity.label:<8}  {item.scope:<4}  {item.title}")
    return EXIT_OK


@policies.command("show")
@click.argument("policy_id")
def show_policy(policy_id: str) -> int:
    """Show one policy: what it checks, why, and how to fix a finding."""
    from scanner import policy

    found = {item.id: item for item in policy.builtin()}.get(policy_id.upper())
    if found is None:
        raise ConfigError(f"no policy {policy_id}; `nhi policies list` shows them")
    _echo(
        f"{found.id}: {found.title}\nseverity: {found.severity.label}, scope: "
        f"{found.scope}, OWASP: {found.owasp or '-'}\n\n{found.description}"
    )
    return EXIT_OK


@policies.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_policies(paths: tuple[Path, ...]) -> int:
    """Check policy files; print each problem and exit 3 if there is one."""
    from scanner import policy

    problems = 0
    for path in paths:
        try:
            names = [item.id for item in policy.load_paths([path])]
            _echo(f"{path}: ok ({', '.join(names) or 'no policies'})")
        except PolicyError as error:
            _echo(f"nhi: error: {error}", err=True)
            problems += 1
    return EXIT_INPUT if problems else EXIT_OK


SHALLOW_NOTE = (
    "nhi: this is a shallow clone, so git cannot say who wrote older lines; provisioners from "
    "its boundary commit are marked 'unknown'. Fetch the history (actions/checkout with "
    "fetch-depth: 0, or git fetch --unshallow)."
)


def _regexes(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            message = f"--bot-pattern {pattern!r}: not a regular expression ({error})"
            raise ConfigError(message) from None
    return patterns


def _format_files(values: tuple[str, ...], formats: Sequence[str]) -> tuple[tuple[str, Path], ...]:
    pairs = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not path or name not in formats:
            raise click.BadParameter(
                f"{value!r}: expected FORMAT=FILE with FORMAT one of {', '.join(formats)}",
                param_hint="'--write'",
            )
        pairs.append((name, Path(path)))
    return tuple(pairs)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None


def _write_baseline(root: Path, path: Path, text: str) -> None:
    """Write the baseline; in git, mark it `merge=union` so parallel additions never conflict."""
    _emit(text, path)
    entries = text.count("\n") - text.count("# ")
    _echo(f"nhi: wrote {entries} baseline entries to {path}", err=True)
    top = git.toplevel(path.resolve().parent)
    if top is None:
        return
    relative = path.resolve().relative_to(top).as_posix()
    if " " not in relative and git.merge_attribute(top, relative) != "union":
        with (top / ".gitattributes").open("a", encoding="utf-8") as attributes:
            attributes.write(f"/{relative} merge=union\n")
        _echo(f"nhi: added '/{relative} merge=union' to .gitattributes", err=True)


def exit_code(report: Report, fail_on: Severity | None, *, strict: bool) -> int:
    """3 for scan errors under --strict, 1 for open findings at or above `fail_on` (None:
    never), else 0."""
    if strict and report.errors:
        return EXIT_INPUT
    if fail_on is None:
        return EXIT_OK
    if any(f.status == "open" and f.severity >= fail_on for f in report.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nhi-scanner"


def _ci_repository() -> str | None:
    """`owner/repo` when running in GitHub Actions (the only environment variable we read)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return os.environ.get("GITHUB_REPOSITORY") or None
    return None


def _progress(name: str, done: int, total: int) -> None:
    """One counter line per repository; on a terminal, the line is redrawn in place."""
    line = f"nhi: [{done}/{total}] {name}"
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")  # ours, the only escape nhi writes
        _echo(line, err=True, nl=done == total)
    else:
        _echo(line, err=True)


def _emit(text: str | Iterable[str], output: Path | None, fmt: str = "text") -> None:
    """Write the output (a string, or pieces written as they come) to stdout or a file."""
    pieces = [text] if isinstance(text, str) else text
    if output is None:
        _write(pieces, json=fmt in ("json", "sarif"), commands=fmt == "github")
        return
    try:
        with output.open("w", encoding="utf-8") as out:
            out.writelines(pieces)
    except OSError as error:
        raise ScannerError(f"cannot write {output}: {error.strerror}") from None


def _write(
    pieces: Iterable[str], *, err: bool = False, json: bool = False, commands: bool = False
) -> None:
    """Every line nhi prints passes here: see scanner.guard (no workflow commands, no escapes)."""
    from scanner.guard import LineGuard

    stream = sys.stderr if err else sys.stdout
    guard = LineGuard(json=json, commands=commands)
    for piece in pieces:
        stream.write(guard.feed(piece))
    stream.write(guard.close())
    stream.flush()


def _echo(message: str, *, err: bool = False, nl: bool = True) -> None:
    _write([message + "\n" if nl else message], err=err)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return (and, as a script, exit with) the documented exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="nhi", standalone_mode=False)
        code = result if isinstance(result, int) else EXIT_OK
    except click.exceptions.Exit as done:  # --help, --version
        code = done.exit_code
    except click.ClickException as error:
        shown = io.StringIO()
        error.show(shown)
        _write([shown.getvalue()], err=True)
        code = EXIT_USAGE if isinstance(error, click.UsageError) else error.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        _echo("nhi: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except ScannerError as error:
        _echo(f"nhi: error: {error}", err=True)
        code = EXIT_INPUT
    except Exception as error:  # the one top-level handler: a bug, not the user's fault
        _echo(f"nhi: internal error: {type(error).__name__}: {error}", err=True)
        _echo(f"This is a bug; please report it at {ISSUES_URL}", err=True)
        if "--verbose" in args:
            import traceback

            _write([traceback.format_exc()], err=True)
        code = EXIT_BUG
    if argv is None:
        sys.exit(code)
    return code
