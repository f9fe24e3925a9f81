"""One exception hierarchy. `cli.main` is the one handler that maps it to exit codes.

Exit codes (documented in the README): 0 clean, 1 findings at or above --fail-on,
2 usage error, 3 invalid input we can explain, 4 internal error, 130 interrupted.
"""

from __future__ import annotations


class ScannerError(Exception):
    """An error we can explain to the user; exit code 3."""


class ConfigError(ScannerError):
    """Bad options or configuration."""


class ReportError(ScannerError):
    """A report file that cannot be read or fails its schema."""


class ParseError(ScannerError):
    """A file a scanner cannot parse. `pipeline.detect` turns it into a `ScanError` value.

    The message must never quote the file's content: files hold secrets.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class TooLarge(ParseError):
    """A file past what its parser can read in bounded time and memory. The pipeline reports
    the secret shapes a linear pass finds in it, as it does for a file that timed out."""


class PolicyError(ScannerError):
    """A policy or waiver file that is not valid; the message names the file and the JSON path."""


class RosterError(ScannerError):
    """An IdP roster, teams or people-map file that cannot be used; the message names it."""


class InventoryError(ScannerError):
    """The SQLite inventory cannot be opened, is locked by another writer, or is too new."""


class DecisionError(ScannerError):
    """A decisions file (`nhi aggregate --decisions`) that cannot be read or has the wrong
    shape as a whole; a bad row is a message, never this (#24)."""


class ObservedError(ScannerError):
    """A cloud or GitHub export (`nhi aggregate --observed`) that cannot be used; the message
    names the file and, where it can, the row or record. Never quotes a value."""
