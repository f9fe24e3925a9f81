"""`nhi explain ID`: the evidence chain behind one identity's people, in plain words.

Pure rendering: the evidence git gives beyond the report (a whitespace-only commit that was
not counted) is gathered by attribution (`attribution.whitespace`) and passed in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scanner.errors import ConfigError
from scanner.model import Attributed, Report

_PATH_LINE = re.compile(r"^(?P<path>.+):(?P<line>[0-9]+)$")


def find(report: Report, wanted: str) -> Attributed:
    """The identity with this id, or declared at `path:line` as the text output prints it."""
    for subject in report.subjects:
        if subject.identity.id == wanted:
            return subject
    if match := _PATH_LINE.match(wanted):
        path, line = match["path"].removeprefix("./"), int(match["line"])
        around = [
            s
            for s in report.subjects
            if s.identity.path == path and s.identity.line <= line <= s.identity.end_line
        ]
        if around:
            return min(around, key=lambda s: (s.identity.line != line, s.identity.line))
    raise ConfigError(
        f"no identity {wanted!r} here; give an id from `nhi scan --format json` or a "
        "path:line from `nhi scan`"
    )


def explain(report: Report, subject: Attributed, notes: Sequence[str] = ()) -> str:
    """The evidence for `subject`; `notes` are attribution's extra words on its provisioner."""
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
        lines += [f"  {note}" for note in notes]
    installer = attribution.installed_by  # an MCP credential: who added its server entry (#18)
    if installer is not None:
        lines.append(
            f"installed by: {installer.name} <{installer.email}>, confidence "
            f"{installer.confidence} (who added the server entry it is handed to)"
        )
        lines += [f"  {item}" for item in installer.evidence]
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
