"""GitHub Actions workflow commands: one annotation per open finding, on the PR's diff.

GitHub keeps at most 10 annotations per level per step and drops the rest silently
(shared/reference/conventions.md, section 3.2), so we emit the most severe first, at most 10
per level, then say in plain text how many more are in the job summary. File names and
messages come from untrusted repositories: everything is escaped as the actions toolkit
escapes command data and properties, so no content can forge a command.
"""

from __future__ import annotations

from scanner.model import Report, Severity

LIMIT = 10  # annotations GitHub shows per level per step

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def render(report: Report) -> str:
    ends = {s.identity.id: s.identity.end_line for s in report.subjects}
    open_findings = sorted(
        (f for f in report.findings if f.status == "open"),
        key=lambda f: (-f.severity, f.path, f.line, f.rule),
    )
    entries: list[tuple[str, str, int | None, int | None, str, str]] = [
        (
            _LEVEL[f.severity],
            f.path,
            f.line,
            max(ends.get(f.identity, f.line), f.line),
            f"{f.rule} ({f.severity.label})",
            f.message,
        )
        for f in open_findings
    ]
    entries += [
        ("warning", e.path, e.line, e.line, "nhi could not scan this file", e.message)
        for e in report.errors
    ]
    shown: dict[str, int] = {}
    lines: list[str] = []
    for level, path, line, end, title, message in entries:
        shown[level] = shown.get(level, 0) + 1
        if shown[level] <= LIMIT:
            lines.append(_command(level, path, line, end, title, message))
    hidden = sum(max(0, count - LIMIT) for count in shown.values())
    if hidden:
        lines.append(
            f"nhi: {hidden} more annotations were not shown; the job summary and the "
            "SARIF report list every finding."
        )
    return "".join(line + "\n" for line in lines)


def _command(
    level: str, path: str, line: int | None, end: int | None, title: str, message: str
) -> str:
    properties = [f"file={escape_property(path)}"]
    if line is not None:
        properties += [f"line={line}", f"endLine={end}"]
    properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(message)}"


def escape_data(value: str) -> str:
    """actions/toolkit `escapeData`: `%`, CR and LF."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """actions/toolkit `escapeProperty`: data escapes plus `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
