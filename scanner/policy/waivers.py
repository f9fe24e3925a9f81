"""Waivers: owner-signed, expiring exceptions, written inline or in `.nhi-waivers.yaml`.

Inline, on the declaration's line or in the comment block right above it:
    # nhi:ignore[NHI002] owner=@alice expires=2027-03-01 reason="moving to OIDC in Q1"
In the file (for JSON configs and bulk entries), matched by identity id or path globs:
    waivers:
      - {rules: [NHI002], identity: "infra/iam.tf#aws_iam_access_key.ci", owner: "@alice",
         expires: 2027-03-01, reason: "..."}
A waiver without an owner or a valid expiry is invalid: reported, never applied. An expired
waiver stops suppressing and is reported. Parsing is pure; the pipeline reads the files.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Mapping, Sequence

from scanner import globs
from scanner.errors import ParseError, PolicyError
from scanner.model import (
    JSON,
    Finding,
    FindingStatus,
    Identity,
    Waiver,
    WaiverState,
    WaiverStatus,
)
from scanner.scanners import _yaml

FILE_NAME = ".nhi-waivers.yaml"
MARK = "nhi:ignore"

_INLINE = re.compile(r"nhi:ignore\[([^\]]*)\](.*)$")
_FIELD = re.compile(r'(\w+)=("[^"]*"|\S+)')
_RULE = re.compile(r"^(NHI[0-9]{3}|\*)$")
_HANDLE = re.compile(r"^@[\w.-]+(/[\w.-]+)?$")
_EMAIL = re.compile(r"^[^@\s]+@([^@\s]{3,})$")  # and a `.` inside: `[^@]+\.[^@]+` backtracks
_COMMENT = re.compile(r"^\s*(#|//|/\*|\*)")


def inline(path: str, text: str, identities: Sequence[Identity]) -> list[Waiver | WaiverStatus]:
    """The inline waivers in one file, each resolved to the identity declared where it points.

    A waiver on a line with code applies to what is declared on that line; a waiver in a
    comment applies to the first line after its comment block. Invalid or dangling waivers
    come back as WaiverStatus values, to be reported.
    """
    if MARK not in text:
        return []
    lines = text.removesuffix("\n").split("\n")  # lines as git counts them
    results: list[Waiver | WaiverStatus] = []
    for number, line in enumerate(lines, start=1):
        # Only the first mark can match: a search would rescan `[^\]]*` from every later one.
        start = line.find("nhi:ignore[")
        match = _INLINE.match(line, start) if start >= 0 else None
        if match is None:
            continue
        fields = {k: v.strip('"') for k, v in _FIELD.findall(match[2])}
        rules = [r.strip() for r in match[1].split(",") if r.strip()]
        waiver, problem = _build(rules, fields, f"{path}:{number}", None, ())
        if problem:
            results.append(WaiverStatus(waiver=waiver, status=WaiverState.INVALID, detail=problem))
            continue
        target = _target_line(lines, number)
        ids = [i.id for i in identities if target in (i.line, i.anchor_line)]
        if not ids:
            detail = f"no identity is declared on line {target}"
            results.append(WaiverStatus(waiver=waiver, status=WaiverState.UNUSED, detail=detail))
        results.extend(dataclasses.replace(waiver, identity=i) for i in ids)
    return results


def _target_line(lines: Sequence[str], number: int) -> int:
    if not _COMMENT.match(lines[number - 1]):
        return number  # a trailing comment on the declaration itself
    following = number
    while following < len(lines) and (
        _COMMENT.match(lines[following]) or not lines[following].strip()
    ):
        following += 1
    return following + 1


def parse_file(text: str, source: str = FILE_NAME) -> list[Waiver | WaiverStatus]:
    """`.nhi-waivers.yaml`: a mapping with a `waivers` list. Raises PolicyError if unusable."""
    try:
        document, spans = _yaml.parse(text)
    except ParseError as error:
        raise PolicyError(f"{source}: {error.message}") from None
    entries = document.get("waivers") if isinstance(document, dict) else None
    if document is None:
        return []
    if not isinstance(entries, list):
        raise PolicyError(f"{source}: /waivers: expected a list of waivers")
    results: list[Waiver | WaiverStatus] = []
    for index, entry in enumerate(entries):
        where = f"{source}:{spans.line(('waivers', index))}"
        results.append(_entry(entry, where))
    return results


def _entry(entry: JSON, where: str) -> Waiver | WaiverStatus:
    fields = entry if isinstance(entry, dict) else {}
    raw_rules = fields.get("rules", fields.get("rule"))
    rules = [str(r) for r in (raw_rules if isinstance(raw_rules, list) else [raw_rules]) if r]
    identity = fields.get("identity")
    paths = fields.get("paths", [])
    waiver, problem = _build(
        rules,
        {k: str(v) for k, v in fields.items() if k in ("owner", "expires", "reason") and v},
        where,
        str(identity) if identity else None,
        tuple(str(p) for p in paths) if isinstance(paths, list) else (),
    )
    if not problem and waiver.identity is None and not waiver.paths:
        problem = "needs an identity id or a list of path globs"
    for pattern in waiver.paths:  # a pattern that matches nothing would silently waive nothing
        reason = globs.unsupported(pattern)
        if not problem and reason:
            problem = f"paths: {reason}"
    return (
        WaiverStatus(waiver=waiver, status=WaiverState.INVALID, detail=problem)
        if problem
        else waiver
    )


def _build(
    rules: list[str],
    fields: Mapping[str, str],
    source: str,
    identity: str | None,
    paths: tuple[str, ...],
) -> tuple[Waiver, str]:
    waiver = Waiver(
        rules=tuple(rules),
        owner=fields.get("owner", ""),
        expires=fields.get("expires", ""),
        reason=fields.get("reason", ""),
        source=source,
        identity=identity,
        paths=paths,
    )
    if not rules or not all(_RULE.match(rule) for rule in rules):
        return waiver, "needs rule ids such as [NHI002] (or [*])"
    if not waiver.owner:
        return waiver, "has no owner (owner=@handle or an email)"
    email = _EMAIL.match(waiver.owner)
    if not _HANDLE.match(waiver.owner) and (email is None or "." not in email[1][1:-1]):
        return waiver, "owner must be an @handle, an @org/team or an email"
    if not waiver.expires:
        return waiver, "has no expiry (expires=YYYY-MM-DD)"
    try:
        datetime.date.fromisoformat(waiver.expires)
    except ValueError:
        return waiver, "expires must be a date, YYYY-MM-DD"
    return waiver, ""


def apply(
    findings: Iterable[Finding], waivers: Iterable[Waiver | WaiverStatus], today: datetime.date
) -> tuple[tuple[Finding, ...], tuple[WaiverStatus, ...]]:
    """Suppress findings that an unexpired waiver covers; say how every waiver was used."""
    valid = [w for w in waivers if isinstance(w, Waiver)]
    reported = [w for w in waivers if isinstance(w, WaiverStatus)]
    matched: set[int] = set()
    result: list[Finding] = []
    for finding in findings:
        covering = [i for i, w in enumerate(valid) if _covers(w, finding)]
        matched.update(covering)
        active = [i for i in covering if _date(valid[i]) >= today]
        if finding.status == "open" and active:
            finding = dataclasses.replace(
                finding, status=FindingStatus.SUPPRESSED, waiver=valid[active[0]]
            )
        result.append(finding)
    for index, waiver in enumerate(valid):
        if _date(waiver) < today:
            status = WaiverStatus(
                waiver=waiver,
                status=WaiverState.EXPIRED,
                detail=f"expired on {waiver.expires}; it no longer suppresses",
            )
        elif index in matched:
            status = WaiverStatus(waiver=waiver, status=WaiverState.ACTIVE)
        else:
            status = WaiverStatus(
                waiver=waiver, status=WaiverState.UNUSED, detail="matches no finding"
            )
        reported.append(status)
    return tuple(result), tuple(sorted(reported, key=lambda s: s.waiver.source))


def _covers(waiver: Waiver, finding: Finding) -> bool:
    if "*" not in waiver.rules and finding.rule not in waiver.rules:
        return False
    if waiver.identity is not None:
        return waiver.identity == finding.identity
    return any(globs.matches(pattern, finding.path) for pattern in waiver.paths)


def _date(waiver: Waiver) -> datetime.date:
    return datetime.date.fromisoformat(waiver.expires)
