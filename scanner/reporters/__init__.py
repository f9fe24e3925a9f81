"""The reporter registry: one module per output format, listed in `REPORTERS`.

A reporter is a module with a pure `render(report) -> str`. The CLI's `--format` choices come
from this table, so adding a format is one module and one line here.
"""

from __future__ import annotations

from typing import Protocol

from scanner.model import Report
from scanner.reporters import github, json, markdown, sarif, text


class Reporter(Protocol):
    """What every module in `REPORTERS` provides."""

    def render(self, report: Report) -> str: ...


REPORTERS: dict[str, Reporter] = {
    "github": github,
    "json": json,
    "markdown": markdown,
    "sarif": sarif,
    "text": text,
}
