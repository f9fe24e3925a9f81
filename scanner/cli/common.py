"""What every `nhi` command shares: exit codes, common options, and the one writer every
line of output passes through (scanner.guard: no workflow commands, no terminal escapes)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

import click

from scanner.errors import ConfigError, ScannerError
from scanner.model import Report, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]
NEVER = "none"  # --fail-on none: report only, findings never fail the run


def reporter_names() -> list[str]:
    from scanner.reporters import REPORTERS

    return sorted(REPORTERS)


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
# Every command takes --verbose; `main` reads it from the arguments (a traceback for a bug).
VERBOSE_OPTION = click.option(
    "--verbose", is_flag=True, expose_value=False, help="Show a traceback on internal errors."
)


def format_files(values: tuple[str, ...], formats: Sequence[str]) -> tuple[tuple[str, Path], ...]:
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


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None


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


def cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nhi-scanner"


def ci_repository() -> str | None:
    """`owner/repo` when running in GitHub Actions (the only environment variable we read)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return os.environ.get("GITHUB_REPOSITORY") or None
    return None


def progress(name: str, done: int, total: int) -> None:
    """One counter line per repository; on a terminal, the line is redrawn in place."""
    line = f"nhi: [{done}/{total}] {name}"
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")  # ours, the only escape nhi writes
        echo(line, err=True, nl=done == total)
    else:
        echo(line, err=True)


class ScanProgress:
    """Files parsed and blamed, redrawn in place on a terminal: only once a scan has taken a
    second, at most ten times a second, and wiped when it ends (#22)."""

    def __init__(self, after: float = 1.0) -> None:
        self.start = time.monotonic()
        self.after = after
        self.last = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < self.after or (now - self.last < 0.1 and done != total):
            return
        self.last, self.shown = now, True
        sys.stderr.write(f"\r\x1b[Knhi: {stage} {done}/{total} files")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def emit(text: str | Iterable[str], output: Path | None, fmt: str = "text") -> None:
    """Write the output (a string, or pieces written as they come) to stdout or a file."""
    pieces = [text] if isinstance(text, str) else text
    if output is None:
        write(pieces, json=fmt in ("json", "sarif"), commands=fmt == "github")
        return
    try:
        with output.open("w", encoding="utf-8") as out:
            out.writelines(pieces)
    except OSError as error:
        raise ScannerError(f"cannot write {output}: {error.strerror}") from None


def write(
    pieces: Iterable[str], *, err: bool = False, json: bool = False, commands: bool = False
) -> None:
    """Every line nhi prints passes here: see scanner.guard (no workflow commands, no escapes)."""
    from scanner.guard import LineGuard

    stream = sys.stderr if err else sys.stdout
    guard = LineGuard(json=json, commands=commands)
    # Into a file or a pipe, pieces go to the guard a block at a time: a broad answer is
    # 100,000 one-line pieces, and the guard's checks cost per call (0.44 s of 70 MB, #25). A
    # terminal sees each piece as it comes.
    block = 1 if _is_terminal(stream) else _BLOCK
    pending: list[str] = []
    size = 0
    for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if size >= block:
            stream.write(guard.feed("".join(pending)))
            pending, size = [], 0
    stream.write(guard.feed("".join(pending)))
    stream.write(guard.close())
    stream.flush()


_BLOCK = 1 << 16  # characters


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: no terminal
        return False


def echo(message: str, *, err: bool = False, nl: bool = True) -> None:
    write([message + "\n" if nl else message], err=err)
