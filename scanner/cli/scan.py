"""`nhi scan`, `nhi explain` and `nhi demo`: the scan side's commands (wiring only)."""

from __future__ import annotations

import datetime
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner import collector, git
from scanner.cli.common import (
    EXIT_OK,
    NEVER,
    POLICIES_OPTION,
    REPO_OPTION,
    SEVERITIES,
    VERBOSE_OPTION,
    ScanProgress,
    cache_home,
    ci_repository,
    echo,
    emit,
    exit_code,
    format_files,
    read_text,
    reporter_names,
)
from scanner.errors import ConfigError
from scanner.model import Report, Severity

if TYPE_CHECKING:
    from scanner.policy import Directory

SHALLOW_NOTE = (
    "nhi: this is a shallow clone, so git cannot say who wrote older lines; provisioners from "
    "its boundary commit are marked 'unknown'. Fetch the history (actions/checkout with "
    "fetch-depth: 0, or git fetch --unshallow)."
)


def _blind(report: Report) -> bool:
    """Whether a provisioner was lost to the shallow boundary (a partly deepened clone whose
    identities' files are whole needs no note)."""
    return any(
        any(reason.startswith("shallow clone:") for reason in found.evidence)
        for found in (s.attribution.provisioner for s in report.subjects)
        if found is not None
    )


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@REPO_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(reporter_names()),
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
    callback=lambda _ctx, _param, values: format_files(values, reporter_names()),
    help="Also write the report in FORMAT to FILE, from the same scan. Repeatable "
    "(e.g. --write sarif=nhi.sarif --write json=nhi.json).",
)
@click.option(
    "--fail-on",
    type=click.Choice([*SEVERITIES, NEVER]),
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
    "--owner",
    metavar="EMAIL",
    callback=lambda _ctx, _param, value: _email(value),
    help="Outside git (a home folder, an MDM-collected bundle): the folder's owner, the "
    "provisioner of what it holds (confidence medium). Ignored in a git repository.",
)
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
@click.option("--quiet", is_flag=True, help="No progress and no notes on standard error.")
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
    owner: str | None,
    jobs: int,
    max_file_size: int,
    file_timeout: float,
    deadline: float | None,
    rosters: tuple[Path, ...],
    teams: Path | None,
    quiet: bool,
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
    missing = [str(path) for path in paths if not os.path.lexists(path)]
    if missing:  # a typo must not pass for a clean scan (#22)
        raise click.UsageError(f"no such file or folder: {', '.join(missing[:3])}"
                               + (f" (and {len(missing) - 3} more)" if len(missing) > 3 else "")
                               + "; paths are relative to the current folder")  # fmt: skip
    drawn = ScanProgress() if sys.stderr.isatty() and not quiet else None
    options = pipeline.Options(
        directory=people(rosters, teams, day) if rosters else None,
        max_file_size=max_file_size,
        repository_name=ci_repository(),
        policies=policy.combine(policy.builtin(), policy.load_paths(policy_paths)),
        use_waivers=not no_waivers,
        today=(today or datetime.datetime.now()).date(),
        baseline=baseline.parse(read_text(baseline_file)) if baseline_file else frozenset(),
        diff_base=diff_base,
        cache_dir=None if no_cache else (cache_dir or cache_home()),
        jobs=jobs,
        attribution=not no_attribution,
        bot_patterns=_regexes(bot_patterns),
        owner=owner,
        file_timeout=file_timeout,
        deadline=deadline,
        progress=drawn,
    )
    try:
        with collector.paused():  # each parsed file's cycles are freed as it is done
            report = pipeline.scan(root, paths, options)
    finally:
        if drawn is not None:
            drawn.close()
    if report.repository.shallow and not quiet and _blind(report):
        echo(SHALLOW_NOTE, err=True)
    if write_baseline is not None:
        _write_baseline(root, write_baseline, baseline.render(report.findings))
        return EXIT_OK
    for extra_format, path in extra_outputs:
        emit(REPORTERS[extra_format].render(report), path)
    threshold = None if fail_on == NEVER else Severity[fail_on.upper()]
    if fmt == "text":  # for people: the threshold's verdict last, colour on a terminal
        from scanner.reporters import text

        colour = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        emit(text.render(report, colour=colour, fail_on=threshold, threshold_given=True), output,
             fmt)  # fmt: skip
    else:
        emit(REPORTERS[fmt].render(report), output, fmt)
    return exit_code(report, threshold, strict=strict)


@click.command()
@click.argument("identity_id", metavar="ID|PATH:LINE")
@REPO_OPTION
@VERBOSE_OPTION
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
    echo(explaining.explain(report, subject, whitespace.notes(top, subject)), nl=False)
    return EXIT_OK


@click.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build the sample organisation here (default: a new temporary folder).",
)
@VERBOSE_OPTION
def demo(folder: Path | None) -> int:
    """Build a small sample organisation, scan it and show who is accountable."""
    from scanner.demo import run

    if folder is not None and folder.exists() and any(folder.iterdir()):
        raise ConfigError(f"{folder} is not empty; give a new or empty folder")
    echo(run(folder), nl=False)
    return EXIT_OK


def _email(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
        raise click.BadParameter("not an email address", param_hint="--owner")
    return None if value is None else value.lower()


def _regexes(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            message = f"--bot-pattern {pattern!r}: not a regular expression ({error})"
            raise ConfigError(message) from None
    return patterns


def _write_baseline(root: Path, path: Path, text: str) -> None:
    """Write the baseline; in git, mark it `merge=union` so parallel additions never conflict."""
    emit(text, path)
    entries = text.count("\n") - text.count("# ")
    echo(f"nhi: wrote {entries} baseline entries to {path}", err=True)
    top = git.toplevel(path.resolve().parent)
    if top is None:
        return
    relative = path.resolve().relative_to(top).as_posix()
    if " " not in relative and git.merge_attribute(top, relative) != "union":
        with (top / ".gitattributes").open("a", encoding="utf-8") as attributes:
            attributes.write(f"/{relative} merge=union\n")
        echo(f"nhi: added '/{relative} merge=union' to .gitattributes", err=True)


def people(rosters: tuple[Path, ...], teams: Path | None, day: datetime.date) -> Directory:
    """The rosters (and teams) for the pull-request gate (NHI102 in the repository scope)."""
    from scanner.aggregate import inputs

    return inputs.people(rosters, teams=teams, as_of=day)
