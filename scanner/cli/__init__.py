"""The `nhi` command line: options in, one library call, rendered output, an exit code out.

One module per command group (`scan`, `org`, `policies`), each command attached here
explicitly; `common` holds what they share. Click objects never leave this package. `main` is
the one error handler: it maps our errors to the documented exit codes (README, "Exit codes")
and turns anything else into a short "please report" message (with the traceback only under
--verbose, which every command takes).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence

import click

from scanner import __version__
from scanner.cli import org, policies, scan
from scanner.cli.common import (
    EXIT_BUG,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    echo,
    exit_code,
    write,
)
from scanner.cli.org import LINEAGE_FORMATS, ROSTER_FIELDS, ROSTER_FORMAT_NAMES
from scanner.cli.scan import SHALLOW_NOTE
from scanner.errors import ScannerError

__all__ = ["EXIT_BUG", "LINEAGE_FORMATS", "ROSTER_FIELDS", "ROSTER_FORMAT_NAMES",
           "SHALLOW_NOTE", "cli", "exit_code", "main"]  # fmt: skip
ISSUES_URL = "https://github.com/nhi-scanner/nhi-scanner/issues"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhi")
def cli() -> None:
    """Find the non-human identities a repository declares and the humans accountable for them."""


for command in (scan.scan, scan.explain, scan.demo, org.aggregate_command,
                org.inventory_command, org.lineage_command, policies.policies):  # fmt: skip
    cli.add_command(command)


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
        write([shown.getvalue()], err=True)
        code = EXIT_USAGE if isinstance(error, click.UsageError) else error.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        echo("nhi: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except ScannerError as error:
        echo(f"nhi: error: {error}", err=True)
        code = EXIT_INPUT
    except Exception as error:  # the one top-level handler: a bug, not the user's fault
        echo(f"nhi: internal error: {type(error).__name__}: {error}", err=True)
        echo(f"This is a bug; please report it at {ISSUES_URL}", err=True)
        if "--verbose" in args:
            import traceback

            write([traceback.format_exc()], err=True)
        code = EXIT_BUG
    if argv is None:
        sys.exit(code)
    return code
