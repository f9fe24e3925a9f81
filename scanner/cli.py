"""The `nhi` command line: options in, one library call, rendered output, an exit code out.

Click objects never leave this module. `main` is the one error handler: it maps our errors to
the documented exit codes (README, "Exit codes") and turns anything else into a short
"please report" message (with the traceback only under --verbose).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from scanner import __version__, git
from scanner.errors import ScannerError
from scanner.model import Report, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
ISSUES_URL = "https://github.com/nhi-scanner/nhi-scanner/issues"
_SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]


def _reporter_names() -> list[str]:
    from scanner.reporters import REPORTERS

    return sorted(REPORTERS)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhi")
def cli() -> None:
    """Find the non-human identities a repository declares and the humans accountable for them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Repository (or folder) to scan. Default: the git work tree around the "
    "current directory, else the current directory.",
)
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
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    default="high",
    show_default=True,
    help="Exit 1 when a finding has this severity or a higher one.",
)
@click.option("--strict", is_flag=True, help="Exit 3 when any file could not be scanned.")
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=5_000_000,
    show_default=True,
    help="Skip (and report) files larger than this many bytes.",
)
@click.option("--verbose", is_flag=True, help="Show a traceback on internal errors.")
def scan(
    paths: tuple[Path, ...],
    repo: Path | None,
    fmt: str,
    output: Path | None,
    fail_on: str,
    strict: bool,
    max_file_size: int,
    verbose: bool,
) -> int:
    """Scan PATHS (files or folders; default: the whole repository)."""
    from scanner import pipeline
    from scanner.reporters import REPORTERS

    root = repo or git.toplevel(Path.cwd()) or Path.cwd()
    options = pipeline.Options(max_file_size=max_file_size, repository_name=_ci_repository())
    report = pipeline.scan(root, paths, options)
    _emit(REPORTERS[fmt].render(report), output)
    return exit_code(report, Severity[fail_on.upper()], strict=strict)


def exit_code(report: Report, fail_on: Severity, *, strict: bool) -> int:
    """3 for scan errors under --strict, 1 for findings at or above `fail_on`, else 0."""
    if strict and report.errors:
        return EXIT_INPUT
    if any(finding.severity >= fail_on for finding in report.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _ci_repository() -> str | None:
    """`owner/repo` when running in GitHub Actions (the only environment variable we read)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return os.environ.get("GITHUB_REPOSITORY") or None
    return None


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ScannerError(f"cannot write {output}: {error.strerror}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return (and, as a script, exit with) the documented exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="nhi", standalone_mode=False)
        code = result if isinstance(result, int) else EXIT_OK
    except click.exceptions.Exit as done:  # --help, --version
        code = done.exit_code
    except click.ClickException as error:
        error.show()
        code = EXIT_USAGE if isinstance(error, click.UsageError) else error.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("nhi: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except ScannerError as error:
        click.echo(f"nhi: error: {error}", err=True)
        code = EXIT_INPUT
    except Exception as error:  # the one top-level handler: a bug, not the user's fault
        click.echo(f"nhi: internal error: {type(error).__name__}: {error}", err=True)
        click.echo(f"This is a bug; please report it at {ISSUES_URL}", err=True)
        if "--verbose" in args:
            traceback.print_exc()
        code = EXIT_BUG
    if argv is None:
        sys.exit(code)
    return code
