"""Baselines: findings accepted as they are, so only new ones fail a run.

One `RULE IDENTITY-ID` entry per line, sorted, no line numbers and no timestamps: an entry
survives lines inserted above its declaration, and two branches that each add entries merge
line by line (with `merge=union` in .gitattributes, which `--write-baseline` sets up, they
merge without conflict even when the entries are neighbours).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from scanner.model import Finding, FindingStatus

HEADER = (
    "# nhi baseline: accepted findings, one `RULE IDENTITY-ID` per line, sorted.\n"
    "# Regenerate with `nhi scan --write-baseline FILE`; keyed by identity id, never by line.\n"
)

Entry = tuple[str, str]


def render(findings: Iterable[Finding]) -> str:
    """Every finding that is not waived, as baseline entries."""
    entries = sorted({(f.rule, f.identity) for f in findings if f.status != "suppressed"})
    return HEADER + "".join(f"{rule} {identity}\n" for rule, identity in entries)


def parse(text: str) -> frozenset[Entry]:
    """Entries from a baseline file; comments, blank lines and git's union merges are fine."""
    entries: set[Entry] = set()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            rule, _, identity = line.strip().partition(" ")
            entries.add((rule, identity))
    return frozenset(entries)


def apply(findings: Iterable[Finding], entries: frozenset[Entry]) -> tuple[Finding, ...]:
    return tuple(
        dataclasses.replace(f, status=FindingStatus.BASELINED)
        if f.status == "open" and (f.rule, f.identity) in entries
        else f
        for f in findings
    )
