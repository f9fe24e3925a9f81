"""`nhi explain ID`: the evidence chain behind one identity's people, in plain words."""

from __future__ import annotations

from pathlib import Path

from scanner import git
from scanner.attribution import blame
from scanner.errors import ConfigError
from scanner.model import Attributed, Report


def find(report: Report, identity_id: str) -> Attributed:
    for subject in report.subjects:
        if subject.identity.id == identity_id:
            return subject
    raise ConfigError(f"no identity {identity_id!r} here; `nhi scan --format json` lists the ids")


def explain(report: Report, identity_id: str, root: Path) -> str:
    subject = find(report, identity_id)
    identity, attribution = subject.identity, subject.attribution
    lines = [
        identity.id,
        f"  {identity.kind} {identity.name} ({identity.category.value}), {identity.path} "
        f"lines {identity.line}-{identity.end_line}",
        "",
    ]
    provisioner = attribution.provisioner
    if provisioner is None:
        lines.append("provisioner: unknown (no git history names a human for this line)")
    else:
        who = f"{provisioner.name} <{provisioner.email}>"
        lines.append(f"provisioner: {who}, confidence {provisioner.confidence}")
        lines += [f"  {item}" for item in provisioner.evidence]
        lines += [f"  co-author: {person}" for person in provisioner.co_authors]
        lines += [
            f"  {note}"
            for note in _whitespace_commits(
                root, identity.path, identity.anchor_line, provisioner.commit
            )
        ]
    if attribution.last_modified_by is not None:
        last = attribution.last_modified_by
        lines.append(f"last modified by: {last.name} <{last.email}> {last.date[:10]}".rstrip())
    if attribution.contributors:
        people = ", ".join(f"{p.email} ({p.lines} line{'s' * (p.lines != 1)})"
                           for p in attribution.contributors)  # fmt: skip
        lines.append(f"contributors: {people}")
    if attribution.owners_source is None:
        lines.append("owners: none (no CODEOWNERS rule covers this file)")
    else:
        owners = ", ".join(attribution.owners) or "nobody (the rule names no owner)"
        lines.append(f"owners: {owners} (CODEOWNERS rule at {attribution.owners_source})")
    lines.append(f"declared owners: {', '.join(identity.declared_owners) or 'none'}")
    findings = [f for f in report.findings if f.identity == identity.id]
    lines += [f"finding: {f.rule} [{f.severity.label}] {f.status}: {f.message}" for f in findings]
    return "\n".join(lines) + "\n"


def _whitespace_commits(root: Path, path: str, line: int, commit: str) -> list[str]:
    """Name a whitespace-only commit on this line: blame without -w sees it, blame -w not."""
    if commit == blame.UNCOMMITTED or git.toplevel(root) is None:
        return []
    try:
        counted = blame.parse(git.blame(root, path, [(line, line)])).get(line)
        raw = blame.parse(git.blame(root, path, [(line, line)], whitespace=True)).get(line)
    except git.GitError:
        return []
    if raw is None or counted is None or raw.commit.sha == counted.commit.sha:
        return []
    return [
        f"not counted: whitespace-only change in {raw.commit.sha[:7]} by {raw.commit.email} "
        f"on {raw.commit.date[:10]} ({raw.commit.summary})"
    ]
