"""Detection: read each file and run its scanner (or take its cached facts), over a process
pool when there are many; a `ParseError` becomes a `ScanError` here and nowhere else. Module
instances are expanded afterwards (`pipeline.modules`)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner import collector, prepass
from scanner.attribution import declared
from scanner.decode import decode
from scanner.errors import ParseError, TooLarge
from scanner.model import (
    Fact,
    Identity,
    ModuleCall,
    Progress,
    ScanError,
    TerraformBlock,
    Waiver,
    WaiverStatus,
)
from scanner.pipeline.cache import Cache, blob_id
from scanner.pipeline.discover import Candidate
from scanner.pipeline.limits import Limits, TimeLimit
from scanner.policy import waivers
from scanner.reading import read
from scanner.scanners import SCANNERS, prepare


@dataclass(frozen=True, slots=True, kw_only=True)
class Detected:
    """What the detect stage read from the files."""

    identities: tuple[Identity, ...]
    modules: tuple[ModuleCall, ...]
    errors: tuple[ScanError, ...]
    waivers: tuple[Waiver | WaiverStatus, ...]  # inline waivers, resolved to identity ids
    blocks: tuple[TerraformBlock, ...] = ()  # what lineage joins across files


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
    progress: Progress | None = None,
) -> Detected:
    """Read each file and run its scanner (or take the cached result for its blob)."""
    known: dict[str, str] = {}  # each file's blob id, asked of `blobs` once (a lazy mapping)
    if cache is not None:
        for file in files:
            if blobs is not None and (blob := blobs.get(file.path)) is not None:
                known[file.path] = blob
                continue
            # Outside git or changed: hashed as git would; unreadable: scan_file says why.
            with contextlib.suppress(ParseError):
                known[file.path] = blob_id(read(root, file.path, max_file_size))
    blobs = known
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
    scanned = []
    for result in _scan_all(root, todo, max_file_size, jobs, limits or Limits()):
        scanned.append(result)
        if progress is not None:
            progress("parsed", len(scanned), len(todo))
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
            lines = result.text.split("\n")  # lines as git counts them
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
) -> Iterator[FileResult]:
    """Scan files, over a process pool when there are many (parsing is CPU-bound)."""
    workers = jobs or min(os.cpu_count() or 1, 8)
    names = sorted({file.scanner for file in files})
    prepare(names)  # set-up is never counted against a file; forked workers inherit it
    if workers < 2 or len(files) < PARALLEL_FROM:
        yield from (_scan_and_collect(root, file, max_file_size, limits) for file in files)
        return
    import multiprocessing  # only when there is enough to parse in parallel
    from concurrent.futures import ProcessPoolExecutor

    fork = sys.platform == "linux"
    context = multiprocessing.get_context("fork" if fork else "forkserver")
    setup = None if fork else functools.partial(prepare, names)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=setup) as pool:
        chunk = max(1, len(files) // (workers * 8))
        yield from pool.map(
            _scan_and_collect,
            [root] * len(files),
            files,
            [max_file_size] * len(files),
            [limits] * len(files),
            chunksize=chunk,
        )


def _scan_and_collect(
    root: Path, file: Candidate, max_file_size: int, limits: Limits
) -> FileResult:
    """`scan_file`, then the cycles its parse left (python-hcl2's trees), now unreachable,
    collected when the cycle collector is paused (`collector.young`; workers fork paused)."""
    result = scan_file(root, file, max_file_size, limits)
    collector.young()
    return result


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
    except Exception as error:  # a bug of ours on one file: that file's, never the scan's
        # Not cached (a fixed release reads it again); the type only: a message may quote it.
        message = (f"not fully scanned: internal error in the {file.scanner} scanner "
                   f"({type(error).__name__}); this is a bug, please report it")  # fmt: skip
        return _unparsed(file.path, data, text, message, facts)
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
