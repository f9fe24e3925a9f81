"""Which `aws_iam_user` blocks of a file are people, not machines (#19).

An IAM user named after a person (`jane.doe`, an email) or given a console password and no
programmatic credential is a human account: the Terraform scanner marks it (and its login
profile) `human: true`, and the policies about machine identities skip it. A user with both a
console password and keys stays a machine identity, which is what NHI006 reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TypeGuard

from scanner import secrets
from scanner.model import JSON
from scanner.scanners.terraform.expressions import addresses

PROGRAMMATIC = frozenset(["aws_iam_access_key", "aws_iam_service_specific_credential",
                          "aws_iam_user_ssh_key", "aws_iam_signing_certificate"])  # fmt: skip
_USER_KEYS = ("user", "user_name", "username")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DOTTED = re.compile(r"[A-Za-z][a-z'-]+(?:\.[A-Za-z][a-z'-]*){1,2}")
# Words of machine accounts that happen to be written `word.word` (`ci.deployer`).
_MACHINE = frozenset(["svc", "service", "bot", "ci", "cd", "deploy", "deployer", "app", "api",
                      "system", "sys", "automation", "terraform", "tf", "jenkins", "github",
                      "gitlab", "backup", "monitor", "monitoring", "readonly", "read", "write",
                      "test", "user", "admin", "root", "s3", "ses", "smtp", "sftp", "ftp",
                      "lambda", "runner", "build", "release", "upload", "uploader", "sync",
                      "agent", "robot", "integration", "prod", "dev", "staging"])  # fmt: skip
NAMED = "named after a person"
CONSOLE_ONLY = "console password and no programmatic credential"


def person_like(name: str) -> bool:
    """`jane.doe`, `Jane.Doe`, `jane.m.doe` or an email address, and no machine word in it."""
    if _EMAIL.fullmatch(name):
        return True
    if not _DOTTED.fullmatch(name):
        return False
    return not any(part.lower() in _MACHINE for part in name.split("."))


def _named_people(body: Mapping[str, JSON]) -> bool:
    """The user's literal `name`, or every key of a literal `for_each` when `name = each.*`."""
    name = body.get("name")
    if not isinstance(name, str):
        return False
    if "${" not in name:
        return person_like(name)
    if name.replace(" ", "") not in ("${each.key}", "${each.value}"):
        return False
    looped = body.get("for_each")
    listed: list[str] = (
        [str(k) for k in looped] if isinstance(looped, list | dict)
        else re.findall(r'"([^"]+)"', looped) if isinstance(looped, str) else []
    )  # fmt: skip
    return bool(listed) and all(person_like(item) for item in listed)


def _user_of(body: Mapping[str, JSON]) -> str | None:
    """The `aws_iam_user` address a credential or login profile names, or its literal user."""
    for key in _USER_KEYS:
        value = body.get(key)
        if not isinstance(value, str):
            continue
        if "${" not in value:
            return f"literal:{value}"
        for address in addresses(value):
            if address.startswith("aws_iam_user."):
                return address
    return None


def humans(resources: Iterable[tuple[str, str, Mapping[str, JSON]]]) -> dict[str, str]:
    """Address -> why, for the users (and their login profiles) that are people, from the
    `(kind, address, body)` of one file's catalog resources."""
    listed = list(resources)
    found: dict[str, str] = {
        address: NAMED for kind, address, body in listed
        if kind == "aws_iam_user" and _named_people(body)
    }  # fmt: skip
    logins = {address: _user_of(body) for kind, address, body in listed
              if kind == "aws_iam_user_login_profile"}  # fmt: skip
    keyed = {_user_of(body) for kind, _, body in listed if kind in PROGRAMMATIC}
    for user in set(logins.values()) - keyed:
        if user is not None and user.startswith("aws_iam_user."):
            found.setdefault(user, CONSOLE_ONLY)
    for login, user in logins.items():
        if user is not None and user.startswith("literal:") and person_like(user[8:]):
            found[login] = NAMED
        elif user in found:
            found[login] = found[user]
    return found


# Tag and label keys that name an owner, compared lower-case without `-` and `_`.
_OWNER_KEYS = frozenset(
    [
        "owner",
        "owners",
        "team",
        "ownerteam",
        "teamowner",
        "owneremail",
        "ownedby",
        "maintainer",
        "technicalowner",
        "businessowner",
    ]
)


def declared_owners(body: Mapping[str, JSON]) -> tuple[str, ...]:
    """Owner hints written in the resource: owner-like `tags`/`labels` keys, `owners` lists."""
    found: list[str] = []
    for field in ("tags", "labels", "tags_all"):
        mapping = body.get(field)
        if isinstance(mapping, dict):
            found.extend(
                value
                for key, value in mapping.items()
                if key.lower().replace("-", "").replace("_", "") in _OWNER_KEYS
                and isinstance(value, str)
                and literal(value)
            )
    owners = body.get("owners")
    if isinstance(owners, list):
        found.extend(owner for owner in owners if isinstance(owner, str) and literal(owner))
    return tuple(dict.fromkeys(found))


def literal(value: JSON) -> TypeGuard[str]:
    """A non-empty string with no interpolation: something a human wrote, not an expression.
    A string holding a secret is never kept, whatever attribute it sits under (#16)."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and "${" not in value
        and secrets.secret_in(value) is None
    )
