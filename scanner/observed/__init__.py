"""Exports of what is live in the clouds and GitHub (`nhi aggregate --observed FILE`): one pure
parser per documented export format, listed in `FORMATS`, each recognising its files by
content (`detect`), so the format never needs naming.

`load(path)` is the file edge: read, detect, parse; a file that cannot be used is one clear
message (`ObservedError`), never a traceback. The join with the declared identities is
`scanner.observed.join`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from scanner.decode import export_text
from scanner.errors import ObservedError
from scanner.observed import (
    aws_credential_report,
    entra_activity,
    entra_graph,
    gcp_activity,
    gcp_keys,
    gcp_service_accounts,
    github_export,
)
from scanner.observed.model import Observed

__all__ = ["FORMATS", "Observed", "detect", "load", "parse"]


class Format(Protocol):
    """What every module in `FORMATS` provides (checked by mypy at the table below)."""

    def detect(self, text: str) -> bool: ...

    def parse(self, path: str, text: str) -> tuple[Observed, ...]: ...


# Tried in this order: the first whose `detect` claims a file parses it.
FORMATS: dict[str, Format] = {
    "aws-credential-report": aws_credential_report,
    "gcp-service-accounts": gcp_service_accounts,
    "gcp-keys": gcp_keys,
    "gcp-activity": gcp_activity,
    "entra-activity": entra_activity,
    "entra": entra_graph,
    "github": github_export,
}

MAX_BYTES = 512 * 1024 * 1024  # a 100,000-user credential report is ~30 MB


def detect(text: str) -> str | None:
    """The name of the format that recognises `text`, or None."""
    return next((name for name, module in FORMATS.items() if module.detect(text)), None)


def parse(path: str, text: str) -> tuple[str, tuple[Observed, ...]]:
    """The format and what one export lists; `ObservedError` when no format knows it."""
    name = detect(text)
    if name is None:
        raise ObservedError(
            f"{path}: not an export nhi knows (expected one of: {', '.join(FORMATS)})"
        )
    return name, FORMATS[name].parse(path, text)


def load(path: Path) -> tuple[str, tuple[Observed, ...]]:
    """Read one export file and parse it."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ObservedError(f"{path}: larger than {MAX_BYTES >> 20} MiB; not read")
        text = export_text(path.read_bytes())
    except (OSError, UnicodeDecodeError) as problem:
        raise ObservedError(f"{path}: cannot be read ({problem})") from None
    return parse(str(path), text)
