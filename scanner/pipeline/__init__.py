"""The scan pipeline: discover -> detect -> attribute -> evaluate -> judge -> Report.

`scan()` is the only function that knows every stage; reading it top to bottom is the
architecture. Each stage is callable on its own. Bad input never stops the scan: it becomes a
`ScanError` in the report, and everything found before it is kept. Detection (`detect`),
its time limits (`limits`) and module-instance expansion (`modules`) are modules here.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner import __version__, git, gitindex, lineage
from scanner.attribution import Options as AttributionOptions
from scanner.attribution import attribute
from scanner.attribution.modules import credit_module_authors
from scanner.decode import decode
from scanner.errors import ConfigError, ParseError, PolicyError
from scanner.lineage import consumers
from scanner.model import (
    Attributed,
    Attribution,
    Finding,
    Identity,
    Link,
    Policy,
    Progress,
    Reach,
    Report,
    Repository,
    ScanError,
    Waiver,
    WaiverStatus,
)
from scanner.pipeline.cache import Cache, Sniffs
from scanner.pipeline.detect import (
    PARALLEL_FROM,
    Detected,
    FileResult,
    _identity_order,
    _unique,
    detect,
    scan_file,
)
from scanner.pipeline.discover import Candidate, candidates
from scanner.pipeline.limits import DEFAULT_FILE_TIMEOUT, Limits, TimeLimit
from scanner.pipeline.modules import expand
from scanner.policy import Directory, waivers
from scanner.policy.engine import evaluate
from scanner.policy.filter import apply as filter_findings
from scanner.reading import read

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
    cache_dir: Path | None = None  # where per-file results are cached; None: no cache
    attribution: bool = True  # blame and CODEOWNERS; off only for benchmarks and quick looks
    bot_patterns: tuple[str, ...] = ()  # more authors that are never provisioners
    owner: str | None = None  # outside git: the folder's owner (--owner), its provisioner
    jobs: int = 0  # parser processes; 0: one per core (up to 8), 1: no pool
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # per file; a file over it becomes an error
    deadline: float | None = None  # seconds for the whole scan; files not reached are errors
    directory: Directory | None = None  # people (--roster): a departed owner is NHI102 (#23)
    progress: Progress | None = None  # (stage, done, total) as files are parsed and blamed


def scan(root: Path, paths: Sequence[Path] = (), options: Options | None = None) -> Report:
    """Scan the repository (or folder) at `root`, or only `paths` inside it."""
    options = options or Options()
    limits = Limits(
        file_timeout=options.file_timeout,
        deadline=None if options.deadline is None else time.monotonic() + options.deadline,
        seconds=options.deadline,
    )
    top = git.toplevel(root)
    root, paths = _repository_root(root, top, paths)
    in_git = top is not None
    listed = git.ls_files(root) if in_git else None
    cache = Cache(options.cache_dir) if options.cache_dir is not None else None
    try:
        blobs = gitindex.clean_blobs(root) if cache is not None and in_git else {}
        files, errors = candidates(root, paths, listed,
                                   Sniffs(cache, blobs) if cache is not None else None)  # fmt: skip
        if in_git and os.path.lexists(root / ".gitmodules"):  # never silent about what we skip
            skipped = _submodules(root, paths)
            gone = {e.path for e in skipped}
            files = [f for f in files if f.path not in gone]
            errors = [e for e in errors if e.path not in gone] + skipped
        detected = detect(root, files, options.max_file_size, cache, blobs, options.jobs, limits,
                          options.progress)  # fmt: skip
        graph = expand(detected.identities, detected.blocks)
        identities = _unique(sorted(graph.identities, key=_identity_order))
        late = limits.passed()
        several = len({i.path for i in identities}) > 1  # what one-pass blame is for (#21)
        if in_git and not late and options.attribution and cache is None and several:
            blobs = gitindex.clean_blobs(root)  # one-pass blame walks clean files only
        subjects, owner_errors = attribute_stage(
            root, identities, in_git and not late, options, cache, blobs, limits
        )
        if late and in_git:
            owner_errors += (limits.late(".", "not attributed (no git blame)"),)
        subjects = credit_module_authors(subjects)
        findings = evaluate(options.policies, subjects)
        if options.directory is not None:
            from scanner.roster import gate  # rosters only when a directory is given (#21)

            findings = gate.with_people(findings, options.policies, subjects, options.directory)
        findings, waiver_statuses = judge(root, findings, detected, options, in_git)
    finally:
        if cache is not None:
            cache.close()
    scanned = repository(root, in_git, options.repository_name)
    subjects, links, reach, broken = _lineage(graph, identities, scanned.name, subjects)
    return Report(
        tool_version=__version__,
        repository=scanned,
        subjects=subjects,
        modules=detected.modules,
        findings=findings,
        errors=tuple(sorted([*errors, *detected.errors, *owner_errors, *broken], key=_error_order)),
        waivers=waiver_statuses,
        policies=tuple(p for p in options.policies if p.id in {f.rule for f in findings}),
        links=links,
        reach=reach,
    )


def _lineage(
    graph: lineage.Graph,
    identities: tuple[Identity, ...],
    name: str,
    subjects: tuple[Attributed, ...],
) -> tuple[tuple[Attributed, ...], tuple[Link, ...], tuple[Reach, ...], tuple[ScanError, ...]]:
    """Links, reach, and the consumers links name (who runs as an identity); a bug of ours
    there costs them, never the report (an error entry)."""
    try:
        links = lineage.link(graph, identities, name)
        return consumers.added(subjects, links), links, lineage.reach(graph, links), ()
    except Exception as error:  # the type only: a message may quote a declaration
        message = (f"links and reach not computed: internal error ({type(error).__name__}); "
                   "this is a bug, please report it")  # fmt: skip
        return subjects, (), (), (ScanError(path=".", line=None, message=message),)


SUBMODULE = (
    "a git submodule: its declarations are not scanned here; scan it as a repository of its "
    "own (nhi scan --repo PATH)"
)


def _submodules(root: Path, paths: Sequence[Path]) -> list[ScanError]:
    """An error entry for each submodule inside what is scanned (all, or the given folders)."""
    folders = [Path(os.path.abspath(p)) for p in paths]
    top = root.resolve()
    return [
        ScanError(path=path, line=None, message=SUBMODULE)
        for path in git.submodules(root)
        if not folders or any((top / path).is_relative_to(folder) for folder in folders)
    ]


def _repository_root(
    root: Path, top: Path | None, paths: Sequence[Path]
) -> tuple[Path, Sequence[Path]]:
    """A folder inside a git work tree (`top`) is scanned as part of its repository: ids,
    paths, CODEOWNERS and waivers stay relative to the repository root, and only the folder's
    files are read (the Action's `path:` in a monorepo; see issue 20)."""
    if top is None or top == root.resolve():
        return root, paths
    return top, paths or (root,)


def attribute_stage(
    root: Path,
    identities: tuple[Identity, ...],
    in_git: bool,
    options: Options,
    cache: Cache | None = None,
    blobs: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> tuple[tuple[Attributed, ...], tuple[ScanError, ...]]:
    """Blame and CODEOWNERS, unless attribution is off; both stop at the deadline, and
    CODEOWNERS matching also at --file-timeout."""
    if not options.attribution:
        return tuple(Attributed(identity=i, attribution=Attribution()) for i in identities), ()
    limits = limits or Limits()
    settings = AttributionOptions(
        bot_patterns=options.bot_patterns, cache=cache, owner=options.owner,
        blobs={} if blobs is None else blobs,  # a lazy mapping: never its truth value
        deadline=limits.deadline, deadline_seconds=limits.seconds,
        match_timeout=limits.file_timeout, progress=options.progress,
    )  # fmt: skip
    return attribute(root, identities, in_git, settings)


def judge(
    root: Path, findings: tuple[Finding, ...], detected: Detected, options: Options, in_git: bool
) -> tuple[tuple[Finding, ...], tuple[WaiverStatus, ...]]:
    """Gather what the filter stage needs (the waiver file, the changed identities), then run
    the pure filter."""
    found = None
    if options.use_waivers:
        found = [*detected.waivers, *waiver_file(root, options.max_file_size)]
    changed = None
    if options.diff_base is not None:
        if not in_git:
            raise ConfigError("--diff-base needs a git repository")
        changed = frozenset(changed_identities(root, options.diff_base, detected.identities))
    return filter_findings(findings, today=options.today, waivers_found=found,
                           baseline_entries=options.baseline, changed=changed)  # fmt: skip


def waiver_file(
    root: Path, max_file_size: int = DEFAULT_MAX_FILE_SIZE
) -> list[Waiver | WaiverStatus]:
    """The repository's waiver file, read like any scanned file (no link outside, size cap)."""
    if not os.path.lexists(root / waivers.FILE_NAME):
        return []
    try:
        text = decode(read(root, waivers.FILE_NAME, max_file_size))
    except ParseError as error:
        raise PolicyError(f"{waivers.FILE_NAME}: cannot be read: {error.message}") from None
    return waivers.parse_file(text)


def changed_identities(root: Path, ref: str, identities: Iterable[Identity]) -> set[str]:
    """Ids of identities whose declaration lines changed since the merge base with `ref`.

    Before the first commit, `HEAD` (the pre-commit hook's base) has nothing: all is new.
    """
    if not git.run(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False):
        if ref == "HEAD" and git.head(root) is None:
            return {i.id for i in identities}
        raise ConfigError(f"--diff-base {ref}: no such commit, branch or tag in this repository")
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


def _error_order(error: ScanError) -> tuple[str, int, str]:
    return (error.path, error.line or 0, error.message)


__all__ = ["DEFAULT_FILE_TIMEOUT", "DEFAULT_MAX_FILE_SIZE", "PARALLEL_FROM", "SUBMODULE",
           "Candidate", "Detected", "FileResult", "Limits", "Options", "TimeLimit", "detect",
           "scan", "scan_file", "waiver_file"]  # fmt: skip
