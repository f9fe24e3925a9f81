"""The scan pipeline: discover -> detect -> attribute -> evaluate -> judge -> Report.

`scan()` is the only function that knows every stage; reading it top to bottom is the
architecture. Each stage is callable on its own. Bad input never stops the scan: it becomes a
`ScanError` in the report, and everything found before it is kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner import __version__, git, lineage, prepass
from scanner.attribution import Options as AttributionOptions
from scanner.attribution import attribute, declared
from scanner.attribution.modules import credit_module_authors
from scanner.cache import Cache, blob_id
from scanner.decode import decode
from scanner.discover import Candidate, candidates
from scanner.errors import ConfigError, ParseError, PolicyError, TooLarge
from scanner.model import (
    Attributed,
    Attribution,
    Fact,
    Finding,
    Identity,
    ModuleCall,
    Policy,
    Report,
    Repository,
    ScanError,
    TerraformBlock,
    Waiver,
    WaiverStatus,
)
from scanner.pipeline.modules import expand
from scanner.policy import Directory, waivers
from scanner.policy.engine import evaluate
from scanner.policy.filter import apply as filter_findings
from scanner.reading import read
from scanner.roster import gate
from scanner.scanners import SCANNERS

DEFAULT_MAX_FILE_SIZE = 5_000_000
DEFAULT_FILE_TIMEOUT = 10.0  # seconds one file may take to parse (the largest real file: ~0.3 s)


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
    jobs: int = 0  # parser processes; 0: one per core (up to 8), 1: no pool
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # per file; a file over it becomes an error
    deadline: float | None = None  # seconds for the whole scan; files not reached are errors
    directory: Directory | None = None  # people (--roster): a departed owner is NHI102 (#23)


@dataclass(frozen=True, slots=True, kw_only=True)
class Detected:
    """What the detect stage read from the files."""

    identities: tuple[Identity, ...]
    modules: tuple[ModuleCall, ...]
    errors: tuple[ScanError, ...]
    waivers: tuple[Waiver | WaiverStatus, ...]  # inline waivers, resolved to identity ids
    blocks: tuple[TerraformBlock, ...] = ()  # what lineage joins across files


def scan(root: Path, paths: Sequence[Path] = (), options: Options | None = None) -> Report:
    """Scan the repository (or folder) at `root`, or only `paths` inside it."""
    options = options or Options()
    limits = Limits(
        file_timeout=options.file_timeout,
        deadline=None if options.deadline is None else time.monotonic() + options.deadline,
        seconds=options.deadline,
    )
    root, paths = _repository_root(root, paths)
    in_git = git.toplevel(root) is not None
    listed = git.ls_files(root) if in_git else None
    files, errors = candidates(root, paths, listed)
    if in_git and os.path.lexists(root / ".gitmodules"):  # never silent about what we skip
        skipped = _submodules(root, paths)
        files = [f for f in files if f.path not in {e.path for e in skipped}]
        errors = [e for e in errors if e.path not in {e.path for e in skipped}] + skipped
    cache = Cache(options.cache_dir) if options.cache_dir is not None else None
    try:
        blobs = git.clean_blobs(root) if cache is not None and in_git else {}
        detected = detect(root, files, options.max_file_size, cache, blobs, options.jobs, limits)
        graph = expand(detected.identities, detected.blocks)
        identities = _unique(sorted(graph.identities, key=_identity_order))
        late = limits.passed()
        subjects, owner_errors = attribute_stage(
            root, identities, in_git and not late, options, cache, blobs, limits
        )
        if late and in_git:
            owner_errors += (limits.late(".", "not attributed (no git blame)"),)
        subjects = credit_module_authors(subjects)
        findings = evaluate(options.policies, subjects)
        if options.directory is not None:
            findings = gate.with_people(findings, options.policies, subjects, options.directory)
        findings, waiver_statuses = judge(root, findings, detected, options, in_git)
    finally:
        if cache is not None:
            cache.close()
    scanned = repository(root, in_git, options.repository_name)
    links = lineage.link(graph, identities, scanned.name)
    return Report(
        tool_version=__version__,
        repository=scanned,
        subjects=subjects,
        modules=detected.modules,
        findings=findings,
        errors=tuple(sorted([*errors, *detected.errors, *owner_errors], key=_error_order)),
        waivers=waiver_statuses,
        policies=tuple(p for p in options.policies if p.id in {f.rule for f in findings}),
        links=links,
        reach=lineage.reach(graph, links),
    )


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


def _repository_root(root: Path, paths: Sequence[Path]) -> tuple[Path, Sequence[Path]]:
    """A folder inside a git work tree is scanned as part of its repository: ids, paths,
    CODEOWNERS and waivers stay relative to the repository root, and only the folder's files
    are read (the Action's `path:` in a monorepo; see issue 20)."""
    top = git.toplevel(root)
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
        bot_patterns=options.bot_patterns, cache=cache, blobs=blobs or {},
        deadline=limits.deadline, deadline_seconds=limits.seconds,
        match_timeout=limits.file_timeout,
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


PARALLEL_FROM = 48  # files to parse before a process pool pays for its start-up


@dataclass(frozen=True, slots=True, kw_only=True)
class FileResult:
    """What scanning one file gave: facts, or the reason it could not be scanned."""

    path: str
    facts: tuple[Fact, ...] = ()
    error: ScanError | None = None
    blob: str | None = None  # for the cache; None when the file could not be read
    text: str | None = None  # kept only when it holds inline waivers
    shapes: tuple[ScanError, ...] = ()  # secret shapes a linear pass found in an unparsed file


def detect(
    root: Path,
    files: Sequence[Candidate],
    max_file_size: int,
    cache: Cache | None = None,
    blobs: Mapping[str, str] | None = None,
    jobs: int = 0,
    limits: Limits | None = None,
) -> Detected:
    """Read each file and run its scanner (or take the cached result for its blob)."""
    blobs = dict(blobs or {})
    if cache is not None:  # outside git or for changed files, hash the bytes as git would
        for file in files:
            if file.path not in blobs:
                with contextlib.suppress(ParseError):  # unreadable: scan_file reports why
                    blobs[file.path] = blob_id(read(root, file.path, max_file_size))
    keys = {f.path: Cache.key(f.path, blobs[f.path]) for f in files if f.path in blobs}
    cached = cache.get_many(keys.values()) if cache is not None else {}
    results: dict[str, FileResult] = {}
    todo: list[Candidate] = []
    for file in files:
        hit = cached.get(keys.get(file.path, ""))
        if hit is None:
            todo.append(file)
            continue
        facts, error, marked = hit
        results[file.path] = FileResult(
            path=file.path, facts=facts, blob=blobs[file.path],
            error=None if error is None else ScanError(path=file.path, line=error[0],
                                                       message=error[1]),
            text=_marked_text(root, file.path, max_file_size) if marked else None,
        )  # fmt: skip
    scanned = list(_scan_all(root, todo, max_file_size, jobs, limits or Limits()))
    results.update((result.path, result) for result in scanned)
    if cache is not None:
        cache.put_many({
            Cache.key(r.path, r.blob): (r.facts, None if r.error is None
                                        else (r.error.line, r.error.message), r.text is not None)
            for r in scanned if r.blob is not None
        })  # fmt: skip
    return _collect(files, results)


def _with_hints(identity: Identity, hints: tuple[str, ...]) -> Identity:
    if not hints:
        return identity
    owners = tuple(dict.fromkeys((*identity.declared_owners, *hints)))
    return dataclasses.replace(identity, declared_owners=owners)


def _collect(files: Sequence[Candidate], results: Mapping[str, FileResult]) -> Detected:
    identities: list[Identity] = []
    modules: list[ModuleCall] = []
    blocks: list[TerraformBlock] = []
    errors: list[ScanError] = []
    found_waivers: list[Waiver | WaiverStatus] = []
    for file in files:
        result = results[file.path]
        mine = [f for f in result.facts if isinstance(f, Identity)]
        if result.text is not None and declared.has_hints(result.text):
            lines = result.text.splitlines()
            mine = [_with_hints(identity, declared.owners_near(lines, identity.line))
                    for identity in mine]  # fmt: skip
        identities.extend(mine)
        modules.extend(f for f in result.facts if isinstance(f, ModuleCall))
        blocks.extend(f for f in result.facts if isinstance(f, TerraformBlock))
        if result.error is not None:
            errors.append(result.error)
        errors.extend(result.shapes)
        if result.text is not None:
            found_waivers.extend(waivers.inline(file.path, result.text, mine))
    ordered = sorted(identities, key=_identity_order)
    return Detected(
        identities=_unique(ordered),
        modules=tuple(sorted(modules, key=lambda m: (m.path, m.line))),
        errors=tuple(errors),
        waivers=tuple(found_waivers),
        blocks=tuple(blocks),
    )


def _scan_all(
    root: Path, files: Sequence[Candidate], max_file_size: int, jobs: int, limits: Limits
) -> Iterable[FileResult]:
    """Scan files, over a process pool when there are many (parsing is CPU-bound)."""
    workers = jobs or min(os.cpu_count() or 1, 8)
    if workers < 2 or len(files) < PARALLEL_FROM:
        return [scan_file(root, file, max_file_size, limits) for file in files]
    import multiprocessing  # only when there is enough to parse in parallel
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver" if sys.platform != "linux" else "fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunk = max(1, len(files) // (workers * 8))
        return list(
            pool.map(
                scan_file,
                [root] * len(files),
                files,
                [max_file_size] * len(files),
                [limits] * len(files),
                chunksize=chunk,
            )
        )


def scan_file(
    root: Path, file: Candidate, max_file_size: int, limits: Limits | None = None
) -> FileResult:
    """Read one file and run its scanner; the one place a ParseError becomes a ScanError."""
    limits = limits or Limits()
    if limits.passed():
        return FileResult(path=file.path, error=limits.late(file.path, "not scanned"))
    facts: list[Fact] = []
    try:
        data = read(root, file.path, max_file_size)
    except ParseError as error:
        return FileResult(
            path=file.path, error=ScanError(path=file.path, line=error.line, message=error.message)
        )
    text = ""
    try:
        with limits.timer():
            text = decode(data)
            facts.extend(SCANNERS[file.scanner].scan(file.path, text))
        problem = None
    except TooLarge as error:  # not cached, like a timeout: the limits may change
        return _unparsed(file.path, data, text, error.message, facts)
    except ParseError as error:  # facts yielded before the error are kept
        problem = ScanError(path=file.path, line=error.line, message=error.message)
    except TimeLimit:  # not cached: another run, on another machine, may finish it
        message = f"not scanned: parsing took longer than {limits.file_timeout:g} s"
        return _unparsed(file.path, data, text, message, [])
    return FileResult(
        path=file.path,
        facts=tuple(facts),
        error=problem,
        blob=blob_id(data),
        text=text if _needs_text(text) else None,
    )


def _unparsed(
    path: str,
    data: bytes,
    text: str,
    message: str,
    facts: list[Identity | ModuleCall | TerraformBlock],
) -> FileResult:
    """A file its parser gave up on: the reason, the facts found before it gave up, and the
    secret shapes a linear pass finds, so that a parser's limit never hides a secret."""
    try:
        text = text or decode(data)
    except ParseError:  # pragma: no cover - decoding failed before the parser could start
        text = ""
    shapes = tuple(
        ScanError(path=path, line=line, message=f"{detector}-shaped value found by a linear "
                  "pass (the file was not parsed)")
        for line, detector in prepass.shapes(text)
    )  # fmt: skip
    error = ScanError(path=path, line=None, message=message)
    return FileResult(path=path, facts=tuple(facts), error=error, shapes=shapes)


class TimeLimit(Exception):
    """Raised inside a parse by the timer's signal; caught by scan_file only."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Time limits: per file (`file_timeout`) and for the whole scan (`deadline`, a
    time.monotonic() instant, and the `seconds` it was given as)."""

    file_timeout: float = DEFAULT_FILE_TIMEOUT
    deadline: float | None = None
    seconds: float | None = None

    def passed(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def late(self, path: str, what: str) -> ScanError:
        message = f"{what}: the scan's deadline ({self.seconds:g} s) passed"
        return ScanError(path=path, line=None, message=message)

    @contextlib.contextmanager
    def timer(self) -> Iterator[None]:
        """Interrupt the block after file_timeout seconds (or at the deadline, if sooner).

        SIGALRM interrupts pure-Python parsing between bytecodes. Only the main thread of a
        process gets signals (the pool's workers parse in theirs); elsewhere, no limit."""
        seconds = self.file_timeout
        if self.deadline is not None:
            seconds = min(seconds, max(0.001, self.deadline - time.monotonic()))
        usable = hasattr(signal, "setitimer") and threading.current_thread() is \
            threading.main_thread()  # fmt: skip
        if not usable or seconds <= 0:
            yield
            return

        def expire(_signum: int, _frame: object) -> None:
            raise TimeLimit

        previous = signal.signal(signal.SIGALRM, expire)
        # The interruption must land in the parser: no garbage collection (whose callbacks
        # swallow exceptions) during the parse, and the alarm repeats every 50 ms in case one
        # is swallowed anyway (a finaliser).
        collecting = gc.isenabled()
        gc.disable()
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if collecting:
                gc.enable()


def _marked_text(root: Path, path: str, max_file_size: int) -> str | None:
    """A cached file's text, read again only when it may hold inline waivers."""
    try:
        text = decode(read(root, path, max_file_size))
    except ParseError:
        return None
    return text if _needs_text(text) else None


def _needs_text(text: str) -> bool:
    """Whether a file's text is needed after scanning: inline waivers or owner comments."""
    return waivers.MARK in text or declared.has_hints(text)


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


def _identity_order(identity: Identity) -> tuple[str, int, str, str]:
    return (identity.path, identity.line, identity.kind, identity.name)


def _error_order(error: ScanError) -> tuple[str, int, str]:
    return (error.path, error.line or 0, error.message)
