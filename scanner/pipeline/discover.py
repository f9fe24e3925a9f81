"""Which files to scan and with which scanner.

With no paths: every file git tracks plus untracked files it does not ignore; outside git, a
walk of the folder, bounded (`MAX_WALK_FILES`), except in a home folder, where only the agents'
user-level configs are read (`home`, issue 18). Explicit paths are always scanned (pre-commit
passes exactly the files it wants checked). Files no scanner reads are dropped here, before
anything is opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from scanner import paths as report_paths
from scanner.decode import decode
from scanner.errors import ParseError
from scanner.model import ScanError
from scanner.pipeline import home
from scanner.scanners import for_path, sniffer

# Folders that hold copies of other people's code or tool caches, skipped when walking
# (inside git, .gitignore decides).
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".terraform", "node_modules", ".venv", "venv"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A file to scan: repository-relative POSIX path and the scanner that reads it."""

    path: str
    scanner: str


class Verdicts(Protocol):
    """What content sniffing said of files before (by their blob: the cache), so that a warm
    scan opens no file it dropped last time (#21)."""

    def recall(self, names: Sequence[str]) -> dict[str, bool]: ...
    def remember(self, verdicts: Mapping[str, bool]) -> None: ...


def candidates(
    root: Path, paths: Sequence[Path], listed: Sequence[str] | None,
    verdicts: Verdicts | None = None,
) -> tuple[list[Candidate], list[ScanError]]:  # fmt: skip
    """Candidates under `root`, restricted to `paths` when given.

    `listed` is git's file list (None outside git). `paths` are absolute or relative to the
    current directory; each must lie inside `root`.
    """
    errors: list[ScanError] = []
    if not paths:
        names = listed if listed is not None else _folder(root, root, errors)
        return _select(root, names, errors, verdicts), errors
    chosen: list[str] = []
    resolved_root = root.resolve()
    for path in paths:
        plain = Path(os.path.abspath(path))
        # Resolve the folder, not the file: a symlinked file is judged by `reading.read`.
        absolute = Path(os.path.realpath(plain.parent)) / plain.name
        try:
            relative = absolute.relative_to(resolved_root).as_posix()
        except ValueError:
            errors.append(ScanError(path=str(path), line=None, message="outside the repository"))
            continue
        if absolute.is_dir():
            chosen.extend(_under(relative, listed, root, errors))
        elif os.path.lexists(absolute):
            chosen.append(relative)
        else:
            errors.append(ScanError(path=relative, line=None, message="no such file"))
    return _select(root, chosen, errors, verdicts), errors


def _under(
    folder: str, listed: Sequence[str] | None, root: Path, errors: list[ScanError]
) -> Iterable[str]:
    if listed is None:
        return _folder(root, root / folder, errors)
    prefix = "" if folder == "." else folder + "/"
    return (name for name in listed if name.startswith(prefix))


def _select(
    root: Path, names: Iterable[str], errors: list[ScanError], verdicts: Verdicts | None
) -> list[Candidate]:
    claimed = [(name, scanner) for name in names if (scanner := for_path(name)) is not None]
    sniffed = [name for name, _ in claimed if sniffer(name) is not None]
    known = verdicts.recall(sniffed) if verdicts is not None else {}
    learned = {name: _worth_scanning(root, name) for name in sniffed if name not in known}
    if verdicts is not None and learned:
        verdicts.remember(learned)
    worth = known | learned
    found: dict[str, Candidate] = {}
    for name, scanner in claimed:
        if not worth.get(name, True):
            continue
        if report_paths.valid(name):
            found[name] = Candidate(path=name, scanner=scanner)
        else:  # the aggregator would reject the whole report for it (#16)
            errors.append(ScanError(path=name, line=None,
                                    message="not a repository-relative path"))  # fmt: skip
    return sorted(found.values(), key=lambda c: c.path)


SNIFF_LIMIT = 1_000_000  # bytes; a file recognised by content is small (an agent's config)


def _worth_scanning(root: Path, name: str) -> bool:
    """A file claimed by name always is; one recognised by content only when its bytes pass
    the scanner's cheap test (issue 18), so a repository's other JSON and YAML files are never
    parsed, nor reported when they cannot be read."""
    test = sniffer(name)
    if test is None:
        return True
    data = _peek(root / name)
    if data is None or not test(data):
        return False
    try:
        return bool(decode(data))
    except ParseError:  # binary or not UTF-8: not a config
        return False


def _peek(path: Path) -> bytes | None:
    """A small regular file's bytes, or None. Cheaper than `reading.read` (which resolves every
    path), and as safe here: lstat never follows a link, O_NOFOLLOW|O_NONBLOCK opens no link nor
    FIFO, and the folders come from git's list or a walk that never follows links."""
    try:
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > SNIFF_LIMIT:
            return None
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as file:
            data = file.read(SNIFF_LIMIT + 1)
        return data if len(data) <= SNIFF_LIMIT else None
    except OSError:
        return None


MAX_WALK_FILES = 200_000  # files looked at in a folder outside git, at most


def _folder(root: Path, start: Path, errors: list[ScanError]) -> Iterable[str]:
    """A folder outside git: a home folder's user-level configs only, else a bounded walk."""
    if os.path.realpath(start) == os.path.realpath(root) and home.looks_like_home(root):
        found, note = home.user_configs(root)
        errors.append(note)
        return found
    return _walk(root, start, errors)


def _walk(root: Path, start: Path, errors: list[ScanError]) -> Iterable[str]:
    seen = 0
    for folder, dirs, files in os.walk(start):  # never follows symlinked folders
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        base = Path(folder).relative_to(root)
        for name in sorted(files):
            if seen == MAX_WALK_FILES:
                errors.append(ScanError(path=".", line=None, message=(
                    f"not a git repository: the walk stopped after {MAX_WALK_FILES} files and "
                    "the rest was not read; scan a git repository, or name the folders to "
                    "scan")))  # fmt: skip
                return
            seen += 1
            yield (base / name).as_posix()
