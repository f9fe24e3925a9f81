"""What a cloud or GitHub export says exists: one `Observed` value per principal or credential.

The parsers (one module per export format, listed in `scanner.observed.FORMATS`) turn a
vendor's documented export into these values; the join (`scanner.observed.join`) matches them
with the identities the repositories declare. Never a credential's value: exports carry none,
and key ids are identifiers.
"""

from __future__ import annotations

import datetime
import json
import sys
from dataclasses import dataclass
from typing import Any

from scanner.errors import ObservedError


@dataclass(frozen=True, slots=True, kw_only=True)
class Observed:
    """One principal or credential as an export lists it."""

    provider: str  # "aws", "gcp", "entra", "github"
    kind: str  # stable public name: aws_iam_user, aws_access_key, github_secret, ...
    scope: str  # where the name is unique: an AWS account, a GCP project, "owner/repo", ...
    name: str  # the literal name the provider uses (user name, account id, secret name)
    key: str  # unique in the export: an ARN, a key id, "user#access_key_1"
    parent: str = ""  # a credential's principal, by `name`; "" for a principal
    live: bool = True  # active / enabled / not expired, as the export says
    created: str | None = None  # ISO date
    rotated: str | None = None  # ISO date the key was created or last rotated
    last_used: str | None = None  # ISO date; None: never used (when `tracks_use`)
    tracks_use: bool = False  # the export records use, so no `last_used` means never used
    expires: str | None = None  # ISO date
    creator: str | None = None  # what the export knows of who made it
    owner: str | None = None  # an owner the export names (a PAT's owner, an owner tag)
    details: tuple[tuple[str, str], ...] = ()  # e.g. ("last_used_service", "s3")
    source: str = ""  # the export file
    exported: str | None = None  # the export's own date, when it carries one


# A marker: the export lists every item of kind `name` (of principal `parent`, when not ""),
# so what it does not list does not exist there (a declaration it lacks is not live).
LISTED = "listed"


def listed(provider: str, kind: str, source: str, parent: str = "", scope: str = "") -> Observed:
    """The marker saying `source` lists every `kind` (of `parent`)."""
    return Observed(provider=provider, kind=LISTED, scope=scope, name=kind, parent=parent,
                    key=f"{LISTED}/{kind}/{parent}", source=source)  # fmt: skip


def day(value: Any, where: str) -> str | None:
    """An ISO 8601 date-time or date as `YYYY-MM-DD`; None for the documented "no date"
    values (`N/A`, `no_information`, `not_supported`, empty, null)."""
    if value is None or (isinstance(value, str) and value.strip() in _NO_DATE):
        return None
    if not isinstance(value, str):
        raise ObservedError(f"{where}: expected a date, not {type(value).__name__}")
    text = value.strip().replace("Z", "+00:00")
    try:
        found = datetime.datetime.fromisoformat(text).date()
    except ValueError:
        try:
            found = datetime.date.fromisoformat(text[:10])
        except ValueError:
            raise ObservedError(f"{where}: not an ISO 8601 date") from None
    return sys.intern(found.isoformat())  # a few hundred distinct days in 10^5 rows


_NO_DATE = frozenset({"", "N/A", "no_information", "not_supported"})


def load_json(text: str, source: str) -> Any:
    """A JSON export, or one clear message."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ObservedError(f"{source}: not valid JSON (line {error.lineno})") from None
    except RecursionError:
        raise ObservedError(f"{source}: not valid JSON (nested too deeply)") from None


def records(document: Any, source: str, what: str, *keys: str) -> list[dict[str, Any]]:
    """The list of objects an export holds, at the top or under the first of `keys` present
    (`value` for Graph, `secrets` for GitHub); one clear message when there is none."""
    items = document
    if isinstance(document, dict):
        items = next((document[k] for k in keys if k in document), None)
    if not isinstance(items, list):
        where = f" under {' or '.join(repr(k) for k in keys)}" if keys else ""
        raise ObservedError(f"{source}: expected a list of {what}{where}")
    return [item for item in items if isinstance(item, dict)]


def text(record: dict[str, Any], key: str, where: str) -> str:
    """A required string field."""
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ObservedError(f"{where}: {key!r} is missing or not text")
    return value.strip()
