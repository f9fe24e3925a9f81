"""Accountable owners: the CODEOWNERS file GitHub would use, read like a scanned file, and
each path's deciding rule within the scan's time limits."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from scanner import reading
from scanner.attribution import codeowners
from scanner.attribution.repo import Options
from scanner.errors import ParseError
from scanner.model import (
    Identity,
    ScanError,
)


def _deadline(options: Options) -> str:
    return f"the scan's deadline ({options.deadline_seconds or 0:g} s) passed"


def _owner_rules(
    owners: codeowners.CodeOwners | None, identities: Sequence[Identity], options: Options
) -> tuple[dict[str, codeowners.Rule | None], tuple[ScanError, ...]]:
    """The deciding CODEOWNERS rule of each path, within --file-timeout and the deadline; past
    them, the remaining paths have no owners and one error entry says so."""
    if owners is None:
        return {}, ()
    limits = [options.deadline] if options.deadline is not None else []
    if options.match_timeout is not None:
        limits.append(time.monotonic() + options.match_timeout)
    until = min(limits, default=None)
    paths = sorted({identity.path for identity in identities})
    rules: dict[str, codeowners.Rule | None] = {}
    try:
        for path in paths:
            rules[path] = owners.match(path, until)
    except codeowners.TooSlow:
        if options.deadline is not None and time.monotonic() > options.deadline:
            reason = _deadline(options)
        else:
            reason = f"matching took longer than {options.match_timeout or 0:g} s"
        message = (
            f"owners not matched for {len(paths) - len(rules)} of {len(paths)} files: {reason}"
        )
        return rules, (ScanError(path=owners.path, line=None, message=message),)
    return rules, ()


def load_codeowners(root: Path) -> tuple[codeowners.CodeOwners | None, tuple[ScanError, ...]]:
    """The first CODEOWNERS file GitHub would use, and its problems as scan errors."""
    for location in codeowners.LOCATIONS:
        if not os.path.lexists(root / location) or (root / location).is_dir():
            continue
        try:  # the repository's own file: no link outside it, no FIFO, never past GitHub's cap
            data = reading.read(root, location, codeowners.MAX_BYTES - 1)
        except ParseError as error:
            message = error.message
            if message.endswith("-byte limit; skipped"):
                message = "3 MB or larger: GitHub ignores it, so nobody owns anything"
            return None, (ScanError(path=location, line=None, message=message),)
        parsed = codeowners.parse(data.decode("utf-8", errors="replace"), location)
        problems = tuple(ScanError(path=location, line=p.line, message=p.message)
                         for p in parsed.problems)  # fmt: skip
        return parsed, problems
    return None, ()
