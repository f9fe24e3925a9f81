"""A job summary for `$GITHUB_STEP_SUMMARY`: totals, the findings with their people, and a map.

GitHub renders the summary as Markdown with HTML and Mermaid, and refuses more than 1 MiB per
step, so the findings table stops before that with a note. Every value from the scanned
repository is escaped: it must not become a link, an HTML tag or a Mermaid directive.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from scanner.model import Attributed, Finding, Link, Report, Severity
from scanner.words import plural

LIMIT_BYTES = 1_000_000  # under GitHub's 1 MiB per-step summary limit, with room for the tail
DIAGRAM_LIMIT = 40  # identities drawn; past this a diagram is unreadable anyway

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
_LINKABLE = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def render(report: Report) -> str:
    subjects = {s.identity.id: s for s in report.subjects}
    open_findings = [f for f in report.findings if f.status == "open"]
    parts = [
        f"## nhi-scanner: {plural(len(open_findings), 'open finding')} in "
        f"{_cell(report.repository.name)}\n",
        _totals(report.findings),
        _findings_table(report.findings, subjects),
        _diagram(open_findings, subjects, report.links),
        f"{plural(len(report.subjects), 'identity', 'identities')} scanned"
        + (
            f"; {plural(len(report.errors), 'file')} could not be scanned "
            "(see the annotations or the JSON report)."
            if report.errors
            else "."
        )
        + "\n",
    ]
    return "\n".join(part for part in parts if part)


def _totals(findings: tuple[Finding, ...]) -> str:
    rows = ["| severity | open | waived | baselined or pre-existing |", "|---|---:|---:|---:|"]
    for severity in sorted(Severity, reverse=True):
        here = [f for f in findings if f.severity == severity]
        rows.append(
            f"| {severity.label} | {sum(f.status == 'open' for f in here)} "
            f"| {sum(f.status == 'suppressed' for f in here)} "
            f"| {sum(f.status in ('baselined', 'pre-existing') for f in here)} |"
        )
    return "\n".join(rows) + "\n"


def _findings_table(findings: tuple[Finding, ...], subjects: dict[str, Attributed]) -> str:
    if not findings:
        return "No findings.\n"
    ordered = sorted(findings, key=lambda f: (f.status != "open", -f.severity, f.path, f.line))
    rows = [
        "### Findings\n",
        "| rule | severity | where | identity | owners | provisioner | status |",
        "|---|---|---|---|---|---|---|",
    ]
    size = sum(len(row) + 1 for row in rows)
    for shown, finding in enumerate(ordered):
        row = _row(finding, subjects.get(finding.identity))
        size += len(row.encode("utf-8")) + 1
        if size > LIMIT_BYTES:
            rows.append(
                f"\n*{len(ordered) - shown} more findings are not shown, to stay under "
                "GitHub's 1 MiB summary limit; the SARIF and JSON reports list them all.*"
            )
            break
        rows.append(row)
    return "\n".join(rows) + "\n"


def _row(finding: Finding, subject: Attributed | None) -> str:
    owners = provisioner = kind_name = "-"
    if subject is not None:
        attribution = subject.attribution
        owners = ", ".join(attribution.owners or subject.identity.declared_owners) or "**nobody**"
        provisioner = attribution.provisioner.email if attribution.provisioner else "unknown"
        kind_name = f"{subject.identity.kind} {subject.identity.name}"
    return (
        f"| {finding.rule} | {finding.severity.label} | {_cell(f'{finding.path}:{finding.line}')}"
        f" | {_cell(kind_name)} | {_cell(owners) if owners != '**nobody**' else owners}"
        f" | {_cell(provisioner)} | {finding.status} |"
    )


def _diagram(findings: list[Finding], subjects: dict[str, Attributed], links: tuple[Link, ...]
             ) -> str:  # fmt: skip
    """A Mermaid flowchart: people -> failing identities -> what they link to and who uses them."""
    failing = [subjects[i] for i in dict.fromkeys(f.identity for f in findings) if i in subjects]
    if not failing:
        return ""
    shown = failing[:DIAGRAM_LIMIT]
    ids = {s.identity.id for s in shown}
    touching = [link for link in links if link.source in ids or link.to in ids]
    lines = ["### Who is accountable\n", "```mermaid", diagram(shown, touching, subjects).rstrip()]
    lines.append("```")
    if len(failing) > DIAGRAM_LIMIT:
        lines.append(f"\n*The map shows {DIAGRAM_LIMIT} of {len(failing)} failing identities.*")
    return "\n".join(lines) + "\n"


def diagram(
    shown: Sequence[Attributed],
    links: Sequence[Link],
    known: Mapping[str, Attributed] | None = None,
    limit: int = DIAGRAM_LIMIT,
) -> str:
    """Mermaid `flowchart LR` text: people, identities, their links (lineage) and consumers."""
    known = {**(known or {}), **{s.identity.id: s for s in shown}}
    nodes: dict[str, str] = {}
    lines = ["flowchart LR"]

    def node(key: str, label: str, shape: tuple[str, str]) -> str:
        if key not in nodes:
            nodes[key] = f"n{len(nodes)}"
            lines.append(f'  {nodes[key]}{shape[0]}"{_mermaid(label)}"{shape[1]}')
        return nodes[key]

    def end(key: str) -> str:
        subject = known.get(key)
        if subject is None:
            return node(key, key, ("[/", "/]"))
        return node(key, f"{subject.identity.kind} {subject.identity.name}", ("[", "]"))

    for subject in shown[:limit]:
        identity, attribution = subject.identity, subject.attribution
        target = end(identity.id)
        if attribution.provisioner is not None:
            email = attribution.provisioner.email
            who = node(f"person:{email}", email, ("([", "])"))
            lines.append(f"  {who} -->|provisioned| {target}")
        owners = attribution.owners or identity.declared_owners
        lines.extend(
            f"  {node(f'person:{owner}', owner, ('([', '])'))} -->|owns| {target}"
            for owner in owners
        )
        if not attribution.owners and not identity.declared_owners:
            lines.append(f"  {node('nobody', 'no owner', ('{{', '}}'))} -.- {target}")
        for consumer in identity.consumers:
            user = node(f"consumer:{consumer.ref}", consumer.ref, ("[/", "/]"))
            lines.append(f"  {target} -->|used by| {user}")
    for link in links:
        edge = f"  {end(link.source)} -->|{link.relation}| {end(link.to)}"  # declares nodes first
        lines.append(edge)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Plain text in a table cell: no HTML, no Markdown, no line breaks, links or mentions."""
    flat = " ".join(text.split())
    return inert(_MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False)))


def inert(escaped: str) -> str:
    """Escaped Markdown that GitHub cannot turn into a link or a mention.

    cmark-gfm autolinks `scheme://...`, `www.` hosts and `local@domain`, and GitHub mentions
    `@login`; entities and backslashes are decoded before either looks. A zero-width space
    after `:`, `www` and `@` breaks each (written as an entity: ASCII survives the log guard).
    """
    return _LINKABLE.sub("&#8203;", escaped)


def _mermaid(text: str) -> str:
    """A Mermaid label: entity codes for the characters that would end or change it."""
    flat = " ".join(text.split())
    return "".join(f"#{ord(c)};" if c in '"#<>&`[]{}()|\\' else c for c in flat)
