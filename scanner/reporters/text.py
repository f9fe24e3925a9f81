"""Plain text for people at a terminal: one line per identity, finding and error, then a summary.

Lines are `path:line: ...` so editors and terminals can jump to them. Paths and names come from
untrusted repositories: control characters are shown escaped, never passed to the terminal, and
no line can start a GitHub workflow command.
"""

from __future__ import annotations

from scanner.model import Report


def render(report: Report) -> str:
    lines = [
        f"{_clean(s.identity.path)}:{s.identity.line}: {s.identity.kind} {_clean(s.identity.name)}"
        for s in report.subjects
    ]
    lines += [
        f"{_clean(f.path)}:{f.line}: {f.rule} [{f.severity.label}] {_clean(f.message)}"
        + ("" if f.status == "open" else f" ({f.status})")
        for f in report.findings
    ]
    lines += [
        f"{_clean(s.waiver.source)}: waiver {s.status}: {_clean(s.detail)}"
        for s in report.waivers
        if s.status in ("expired", "invalid", "unused")
    ]
    lines += [
        f"{_clean(e.path)}{'' if e.line is None else f':{e.line}'}: error: {_clean(e.message)}"
        for e in report.errors
    ]
    lines.append(_summary(report))
    lines += _forward(report)
    # A line starting with `::` is a workflow command when this runs in GitHub Actions: a file
    # named `::stop-commands::x.tf` would silence every annotation after it (#12).
    return "".join(("./" if line.startswith("::") else "") + line + "\n" for line in lines)


def _summary(report: Report) -> str:
    files = len({s.identity.path for s in report.subjects})
    open_findings = sum(1 for f in report.findings if f.status == "open")
    other = len(report.findings) - open_findings
    return (
        f"{_plural(len(report.subjects), 'identity', 'identities')} in "
        f"{_plural(files, 'file', 'files')}, {_plural(open_findings, 'finding', 'findings')}"
        + (f" (+{other} waived, baselined or pre-existing)" if other else "")
        + f", {_plural(len(report.errors), 'error', 'errors')}"
    )


def _forward(report: Report) -> list[str]:
    """How to go forward when open findings block (a commit, a pull request): the owner line to
    add, the waiver syntax and its limits, and where each rule is explained (issue 22)."""
    blocking = [f for f in report.findings if f.status == "open"]
    if not blocking:
        return []
    lines = ["", "How to go forward:"]
    unowned = sorted({f.path for f in blocking if f.rule == "NHI001"})
    if unowned:
        lines.append("  - name an owner in CODEOWNERS (.github/CODEOWNERS), for example:")
        lines += [f"      /{_clean(path).replace(' ', chr(92) + ' ')} @your-org/your-team"
                  for path in unowned[:5]]  # fmt: skip
    lines.append(
        "  - or waive one finding where it is declared, with an owner and an expiry:"
        ' # nhi:ignore[RULE] owner=@your-team expires=YYYY-MM-DD reason="why"'
    )
    rules = sorted({f.rule for f in blocking})
    lines.append(f"  - what each rule means and how to fix it: "
                 f"{'; '.join(f'nhi policies show {rule}' for rule in rules)}")  # fmt: skip
    return lines


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _clean(value: str) -> str:
    """Escape control characters (newlines in file names, terminal escape sequences)."""
    if value.isprintable():  # nearly always: no per-character work
        return value
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
