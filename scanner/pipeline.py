"""The scan pipeline: discover -> detect -> attribute -> evaluate -> judge -> Report.

`scan()` is the only function that knows every stage; reading it top to bottom is the
architecture. Each stage is callable on its own. Bad input never stops the scan: it becomes a
`ScanError` in the report, and everything found before it is kept.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner import __version__, baseline, git, waivers
from scanner.decode import decode
from scanner.discover import Candidate, candidates
from scanner.errors import ConfigError, ParseError, PolicyError
from scanner.model import (
    Attributed,
    Attribution,
    Finding,
    Identity,
    ModuleCall,
    Policy,
    Report,
    Repository,
    ScanError,
    Waiver,
    WaiverStatus,
)
from scanner.policy.engine import evaluate
from scanner.scanners import SCANNERS

DEFAULT_MAX_FILE_SIZE = 5_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """What the CLI decided; built once, read by the stages."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    repository_name: str | None = None  # e.g. GITHUB_REPOSITORY; else the remote, else the folder
    policies: tuple[Policy, ...] = ()
    use_waivers: bool = True
    today: datetime.date = field(default_factory=datetime.date.today)
    baseline: frozenset[tuple[str, str]] = frozenset()
    diff_base: str | None = None  # findings on identities unchanged since here are pre-existing


@dataclass(frozen=True, slots=True, kw_only=True)
class Detected:
    """What the detect stage read from the files."""

    identities: tuple[Identity, ...]
    modules: tuple[ModuleCall, ...]
    errors: tuple[ScanError, ...]
    waivers: tuple[Waiver | WaiverStatus, ...]  # inline waivers, resolved to identity ids


def scan(root: Path, paths: Sequence[Path] = (), options: Options | None = None) -> Report:
    """Scan the repository (or folder) at `root`, or only `paths` inside it."""
    options = options or Options()
    in_git = git.toplevel(root) is not None
    listed = git.ls_files(root) if in_git else None
    files, errors = candidates(root, paths, listed)
    detected = detect(root, files, options.max_file_size)
    subjects = tuple(Attributed(identity=i, attribution=Attribution()) for i in detected.identities)
    findings = evaluate(options.policies, subjects)
    findings, waiver_statuses = judge(root, findings, detected, options, in_git)
    return Report(
        tool_version=__version__,
        repository=repository(root, in_git, options.repository_name),
        subjects=subjects,
        modules=detected.modules,
        findings=findings,
        errors=tuple(sorted([*errors, *detected.errors], key=_error_order)),
        waivers=waiver_statuses,
        policies=tuple(p for p in options.policies if p.id in {f.rule for f in findings}),
    )


def judge(
    root: Path, findings: tuple[Finding, ...], detected: Detected, options: Options, in_git: bool
) -> tuple[tuple[Finding, ...], tuple[WaiverStatus, ...]]:
    """The filter stage: waivers, then the baseline, then diff mode decide each finding's status."""
    statuses: tuple[WaiverStatus, ...] = ()
    if options.use_waivers:
        findings, statuses = waivers.apply(
            findings, [*detected.waivers, *waiver_file(root)], options.today
        )
    findings = baseline.apply(findings, options.baseline)
    if options.diff_base is not None:
        if not in_git:
            raise ConfigError("--diff-base needs a git repository")
        changed = changed_identities(root, options.diff_base, detected.identities)
        findings = tuple(
            dataclasses.replace(f, status="pre-existing")
            if f.status == "open" and f.identity not in changed
            else f
            for f in findings
        )
    return findings, statuses


def waiver_file(root: Path) -> list[Waiver | WaiverStatus]:
    path = root / waivers.FILE_NAME
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{waivers.FILE_NAME}: cannot be read: {error}") from None
    return waivers.parse_file(text)


def changed_identities(root: Path, ref: str, identities: Iterable[Identity]) -> set[str]:
    """Ids of identities whose declaration lines changed since the merge base with `ref`."""
    ranges, new = git.changed_since(root, ref)
    return {
        i.id
        for i in identities
        if i.path in new
        or any(start <= i.end_line and i.line <= end for start, end in ranges.get(i.path, ()))
    }


def repository(root: Path, in_git: bool, name: str | None) -> Repository:
    if not in_git:
        return Repository(name=name or root.resolve().name, commit=None, shallow=False)
    return Repository(
        name=name or git.remote_name(root) or root.resolve().name,
        commit=git.head(root),
        shallow=git.is_shallow(root),
    )


def detect(root: Path, files: Iterable[Candidate], max_file_size: int) -> Detected:
    """Read each file and run its scanner; the one place a ParseError becomes a ScanError."""
    identities: list[Identity] = []
    modules: list[ModuleCall] = []
    errors: list[ScanError] = []
    found_waivers: list[Waiver | WaiverStatus] = []
    for file in files:
        mark = len(identities)
        text = ""
        try:
            text = decode(read(root, file.path, max_file_size))
            for fact in SCANNERS[file.scanner].scan(file.path, text):
                if isinstance(fact, ModuleCall):
                    modules.append(fact)
                else:
                    identities.append(fact)
        except ParseError as error:
            errors.append(ScanError(path=file.path, line=error.line, message=error.message))
        found_waivers.extend(waivers.inline(file.path, text, identities[mark:]))
    ordered = sorted(identities, key=lambda i: (i.path, i.line, i.kind, i.name))
    return Detected(
        identities=_unique(ordered),
        modules=tuple(sorted(modules, key=lambda m: (m.path, m.line))),
        errors=tuple(errors),
        waivers=tuple(found_waivers),
    )


def read(root: Path, path: str, max_file_size: int) -> bytes:
    """A file's bytes, refusing what a scan must not open. Raises ParseError with the reason."""
    full = root / path
    try:
        # realpath, not Path.resolve: resolve raises RuntimeError on a symlink loop (3.11)
        if full.is_symlink() and not Path(os.path.realpath(full)).is_relative_to(root.resolve()):
            raise ParseError("symbolic link to a file outside the repository; not followed")
        status = full.stat()
        if not stat.S_ISREG(status.st_mode):  # a FIFO or device would block or never end
            raise ParseError("not a regular file; skipped")
        if status.st_size > max_file_size:
            size = status.st_size
            raise ParseError(f"{size} bytes, over the {max_file_size}-byte limit; skipped")
        return full.read_bytes()
    except FileNotFoundError:
        raise ParseError("listed by git but missing on disk") from None
    except PermissionError:  # pragma: no cover - CI runs as root, which can read anything
        raise ParseError("permission denied") from None
    except OSError as error:
        raise ParseError(f"cannot be read: {error.strerror or type(error).__name__}") from None


def _unique(identities: list[Identity]) -> tuple[Identity, ...]:
    """Ids must be unique in a report; a repeated declaration gets `~2`, `~3` on its pointer."""
    seen: dict[str, int] = {}
    result: list[Identity] = []
    for identity in identities:
        count = seen[identity.id] = seen.get(identity.id, 0) + 1
        if count > 1:
            identity = dataclasses.replace(identity, pointer=f"{identity.pointer}~{count}")
        result.append(identity)
    return tuple(result)


def _error_order(error: ScanError) -> tuple[str, int, str]:
    return (error.path, error.line or 0, error.message)
