"""The filter stage, after evaluation: waivers, then the baseline, then diff mode decide each
finding's status. Pure: it takes values (waivers already read, baseline entries, the ids of
identities a change touched) and reads no file and runs no git; the pipeline gathers them.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from scanner.model import Finding, FindingStatus, Waiver, WaiverStatus
from scanner.policy import baseline, waivers


def apply(
    findings: Iterable[Finding],
    *,
    today: datetime.date,
    waivers_found: Iterable[Waiver | WaiverStatus] | None = None,
    baseline_entries: frozenset[baseline.Entry] = frozenset(),
    changed: frozenset[str] | None = None,
) -> tuple[tuple[Finding, ...], tuple[WaiverStatus, ...]]:
    """Each finding with its status, and how every waiver was used.

    `waivers_found` None means waivers are off (`--no-waivers`); `changed` None means no diff
    mode, else findings on identities outside it are `pre-existing`.
    """
    statuses: tuple[WaiverStatus, ...] = ()
    result = tuple(findings)
    if waivers_found is not None:
        result, statuses = waivers.apply(result, waivers_found, today)
    result = baseline.apply(result, baseline_entries)
    if changed is not None:
        result = tuple(
            dataclasses.replace(f, status=FindingStatus.PRE_EXISTING)
            if f.status == "open" and f.identity not in changed
            else f
            for f in result
        )
    return result, statuses
