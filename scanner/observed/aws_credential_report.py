"""The AWS IAM credential report: one row per IAM user with the state of its password, its two
access keys and its two signing certificates.

Produced by `aws iam generate-credential-report` then `aws iam get-credential-report`, either
the JSON response (`Content` is the Base64 CSV, `GeneratedTime` the report's date) or the CSV
itself (`--query Content --output text | base64 -d`). Columns and their special values (`N/A`,
`no_information`, `not_supported`) as documented in
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html.

The report carries no access key ids: a key is `<user>#access_key_1` or `_2`, and a key that
is not active shows `N/A` for its dates, so only active keys are listed. A truncated or
reordered file is rejected whole: a user missing from a partial report would read as deleted.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Iterator
from typing import Any

from scanner.errors import ObservedError
from scanner.observed.model import Observed, day, listed, load_json

COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
)  # fmt: skip
# The columns the join needs; the others may be absent from an older report.
REQUIRED = ("user", "arn", "user_creation_time", "access_key_1_active",
            "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_2_active",
            "access_key_2_last_rotated", "access_key_2_last_used_date")  # fmt: skip
ROOT = "<root_account>"
_BOOLEAN = {"true": True, "false": False, "not_supported": False, "N/A": False}


def detect(text: str) -> bool:
    """The CSV (its header starts `user,arn,user_creation_time`), or `get-credential-report`'s
    JSON response."""
    head = text.lstrip("\ufeff \r\n\t")[:2048]
    return head.startswith("user,arn,user_creation_time") or (
        head.startswith("{") and '"ReportFormat"' in head and '"Content"' in head
    )


def parse(path: str, text: str) -> tuple[Observed, ...]:
    """Every IAM user of the report, and each of its active access keys and certificates."""
    exported = None
    if text.lstrip("\ufeff \r\n\t").startswith("{"):
        text, exported = _unwrap(load_json(text, path), path)
    users = tuple(_users(path, text.lstrip("\ufeff"), exported))
    kinds = ("aws_iam_user", "aws_access_key", "aws_signing_certificate")
    return (*users, *(listed("aws", kind, path) for kind in kinds))


def _unwrap(document: Any, path: str) -> tuple[str, str | None]:
    """The CSV and the date of `get-credential-report`'s JSON response."""
    if not isinstance(document, dict) or not isinstance(document.get("Content"), str):
        raise ObservedError(f"{path}: expected get-credential-report's response with 'Content'")
    if document.get("ReportFormat", "text/csv") != "text/csv":
        raise ObservedError(f"{path}: ReportFormat is not text/csv")
    try:
        content = base64.b64decode(document["Content"], validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # ValueError: non-ASCII text (UnicodeDecodeError too)
        raise ObservedError(f"{path}: 'Content' is not a Base64-encoded UTF-8 CSV") from None
    return content, day(document.get("GeneratedTime"), f"{path}: GeneratedTime")


def _users(path: str, text: str, exported: str | None) -> Iterator[Observed]:
    try:
        yield from _rows(path, csv.reader(io.StringIO(text, newline="")), exported)
    except csv.Error as error:  # a field past csv's size limit, a NUL byte: not a report
        raise ObservedError(f"{path}: not a CSV credential report ({error})") from None


def _rows(path: str, reader: Iterator[list[str]], exported: str | None) -> Iterator[Observed]:
    header = next(reader, None)
    if header is None:
        raise ObservedError(f"{path}: empty credential report")
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ObservedError(f"{path}: not an IAM credential report: no column "
                            + ", ".join(missing))  # fmt: skip
    for number, cells in enumerate(reader, start=2):
        if not cells:
            continue
        if len(cells) != len(header):
            raise ObservedError(
                f"{path}: row {number} has {len(cells)} of {len(header)} columns "
                "(a truncated or hand-edited report?); the file is not used"
            )
        row = dict(zip(header, cells, strict=True))
        if row["user"] == ROOT:  # the account itself: never declared in a repository
            continue
        yield from _user(row, f"{path}: row {number}", path, exported)


def _user(row: dict[str, str], where: str, path: str, exported: str | None) -> Iterator[Observed]:
    user, arn = row["user"], row["arn"]
    if not user or not arn.startswith("arn:"):
        raise ObservedError(f"{where}: 'user' or 'arn' is empty or not an ARN")
    account = arn.split(":")[4] if arn.count(":") >= 5 else ""
    common: dict[str, Any] = {"provider": "aws", "scope": account, "source": path,
                              "exported": exported}  # fmt: skip
    keys = [_credential(row, where, slot, user, common) for slot in ("access_key_1",
            "access_key_2", "cert_1", "cert_2") if f"{slot}_active" in row]  # fmt: skip
    used = [k.last_used for k in keys if k is not None and k.last_used]
    password = day(row.get("password_last_used"), f"{where}: password_last_used")
    details = [("password_enabled", str(_flag(row, "password_enabled", where)).lower()),
               ("mfa_active", str(_flag(row, "mfa_active", where)).lower())]  # fmt: skip
    yield Observed(
        kind="aws_iam_user", name=user, key=arn, live=True,
        created=day(row["user_creation_time"], f"{where}: user_creation_time"),
        last_used=max([*used, *([password] if password else [])], default=None),
        details=tuple(details), **common,
    )  # fmt: skip
    yield from (k for k in keys if k is not None)


def _credential(row: dict[str, str], where: str, slot: str, user: str,
                common: dict[str, Any]) -> Observed | None:  # fmt: skip
    """An active access key or signing certificate in one of the user's two slots."""
    if not _flag(row, f"{slot}_active", where):
        return None
    rotated = day(row.get(f"{slot}_last_rotated"), f"{where}: {slot}_last_rotated")
    details = tuple((field, row[f"{slot}_last_used_{field}"]) for field in ("region", "service")
                    if row.get(f"{slot}_last_used_{field}", "N/A") not in ("", "N/A"))  # fmt: skip
    return Observed(
        kind="aws_access_key" if slot.startswith("access") else "aws_signing_certificate",
        name=f"{user}#{slot}", key=f"{user}#{slot}", parent=user, live=True,
        tracks_use=slot.startswith("access"),  # the report has no certificate's last use
        created=rotated, rotated=rotated,
        last_used=day(row.get(f"{slot}_last_used_date"), f"{where}: {slot}_last_used_date"),
        details=tuple(("last_used_" + k, v) for k, v in details), **common,
    )  # fmt: skip


def _flag(row: dict[str, str], column: str, where: str) -> bool:
    value = row.get(column, "N/A")
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    if value in _BOOLEAN:
        return _BOOLEAN[value]
    raise ObservedError(f"{where}: {column} is neither true nor false")
