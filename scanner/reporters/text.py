"""Plain text for people at a terminal: one line per identity, finding and error, then a summary.

Lines are `path:line: ...` so editors and terminals can jump to them. Paths and names come from
untrusted repositories: control characters are shown escaped, never passed to the terminal, and
no line can start a GitHub workflow command.
"""

from __future__ import annotations

from collections import Counter

from scanner.model import Finding, Report, Severity
from scanner.words import plural

# ANSI colours for severity labels on a terminal (`colour=True`: the CLI decides, NO_COLOR wins).
_COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"


def render(report: Report, *, colour: bool = False, fail_on: Severity | None = None,
           threshold_given: bool = False) -> str:  # fmt: skip
    """Findings first (open ones by severity, gravest first), then waivers, errors and the
    identities, then the summary; with `threshold_given`, the last line says what `--fail-on`
    (`fail_on`, None: never) makes of the findings."""
    lines = [_finding(f, colour) for f in sorted(report.findings, key=_order)]
    lines += [
        f"{_clean(s.waiver.source)}: waiver {s.status}: {_clean(s.detail)}"
        for s in report.waivers
        if s.status in ("expired", "invalid", "unused")
    ]
    lines += [
        f"{_clean(e.path)}{'' if e.line is None else f':{e.line}'}: error: {_clean(e.message)}"
        for e in report.errors
    ]
    lines += [
        f"{_clean(s.identity.path)}:{s.identity.line}: {s.identity.kind} {_clean(s.identity.name)}"
        for s in report.subjects
    ]
    lines.append(_summary(report))
    lines += _breakdown(report)
    lines += _forward(report)
    if threshold_given:
        lines.append(_verdict(report, fail_on))
    # A line starting with `::` is a workflow command when this runs in GitHub Actions: a file
    # named `::stop-commands::x.tf` would silence every annotation after it (#12).
    return "".join(("./" if line.startswith("::") else "") + line + "\n" for line in lines)


def _order(finding: Finding) -> tuple[bool, int, str, int, str]:
    return (finding.status != "open", -finding.severity, finding.path, finding.line, finding.rule)


def _finding(f: Finding, colour: bool) -> str:
    label = f"[{f.severity.label}]"
    if colour and f.status == "open":
        label = f"{_COLOURS[f.severity]}{label}{_RESET}"
    return (f"{_clean(f.path)}:{f.line}: {f.rule} {label} {_clean(f.message)}"
            + ("" if f.status == "open" else f" ({f.status})"))  # fmt: skip


def _summary(report: Report) -> str:
    files = len({s.identity.path for s in report.subjects})
    open_findings = sum(1 for f in report.findings if f.status == "open")
    other = len(report.findings) - open_findings
    return (
        f"{plural(len(report.subjects), 'identity', 'identities')} in "
        f"{plural(files, 'file', 'files')}, {plural(open_findings, 'finding', 'findings')}"
        + (f" (+{other} waived, baselined or pre-existing)" if other else "")
        + f", {plural(len(report.errors), 'error', 'errors')}"
    )


def _breakdown(report: Report) -> list[str]:
    """The open findings counted by severity and by rule."""
    found = [f for f in report.findings if f.status == "open"]
    if not found:
        return []
    severities = Counter(f.severity for f in found)
    rules = Counter(f.rule for f in found)
    return [
        "open findings by severity: " + ", ".join(
            f"{severity.label} {severities[severity]}"
            for severity in sorted(severities, reverse=True)
        ),
        "open findings by rule: " + ", ".join(f"{rule} {rules[rule]}" for rule in sorted(rules)),
    ]  # fmt: skip


def _verdict(report: Report, fail_on: Severity | None) -> str:
    """What --fail-on makes of the open findings: the line a blocked developer reads."""
    if fail_on is None:
        return "--fail-on none: nothing fails (report only)"
    blocking = sum(1 for f in report.findings if f.status == "open" and f.severity >= fail_on)
    if not blocking:
        return f"--fail-on {fail_on.label}: passes (no open finding at {fail_on.label} or above)"
    counted = plural(blocking, "open finding", "open findings")
    return f"--fail-on {fail_on.label}: fails ({counted} at {fail_on.label} or above)"


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


def _clean(value: str) -> str:
    """Escape control characters (newlines in file names, terminal escape sequences)."""
    if value.isprintable():  # nearly always: no per-character work
        return value
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
