"""`.env` files: the credentials an application consumes, and whether their values are committed.

Syntax follows python-dotenv's grammar: optional `export`, `KEY=value` with spaces around `=`,
unquoted values ending at ` #` comments, single quotes (literal, may span lines), double
quotes (escapes, may span lines), `${VAR}` references, blank values, CRLF line ends. `.envrc`
(direnv, a shell script, and its `.envrc.example`-style templates) contributes only its
`export KEY=value` and `KEY=value` lines.

One `dotenv_credential` per credential key (pointer: the key; when a key repeats, the last
assignment wins, as in dotenv), with `value_state`, `secret_present`, `detector` and `provider`.
The value is never kept. A line that is not `KEY=value` does not stop the scan: every
credential is yielded first, then a ParseError names the first bad line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from scanner import placeholders, secrets
from scanner.errors import ParseError
from scanner.model import JSON, Category, Identity

# `.env-example`, `.env_example` and `env.example` are each in about 10,000 public repositories,
# as common as `.env.example`; cookiecutter-django keeps its dotenv files as `.envs/.local/.django`
# and `.envs/.production/.postgres` (about 2,000 repositories; its docs, "Configuring the
# Environment"). env-cmd's `.env-cmdrc` is JSON or JavaScript, and git's own dot-files are none.
PATTERNS = (".env", ".env.*", ".env-*", ".env_*", "*.env", ".envrc", ".envrc.*", "env.example",
            "env.sample", "env.template", "env.dist", "**/.envs/**/.*")  # fmt: skip
_NOT_DOTENV = (".env-cmdrc", ".gitignore", ".gitkeep", ".gitattributes", ".keep")

_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)$", re.DOTALL)
_URL_KEY = re.compile(r"(?i)(?:^|_)(?:url|uri|dsn|connection_string|conn_str)$")
_WEBHOOK_KEY = re.compile(r"(?i)webhook_?(?:url|uri)$")
_COMMENT = re.compile(r"\s#")
_BARE_KEY = re.compile(r"(?:export\s+)?[A-Za-z_][A-Za-z0-9_.\-]*")
# Names the shared rules miss, seen in self-hosted applications' .env files (issue 19).
# A connection string holds its password even when this file leaves it empty.
_CONNECTION_KEY = re.compile(r"(?i)(?:^|_)(?:connection_?string|conn_?str)$")
_EXTRA_KEY = re.compile(
    r"(?i)(?:^|_)(?:credentials_contents|event_key|secondary_key|primary_key|write_key)$|^ssl_key$"
)
# `<PROVIDER>_KEY` (`SUPABASE_KEY`) is a credential; these words before `_KEY` say otherwise
# (`AZURE_STATE_KEY` names the blob a Terraform backend keeps its state in).
_NOT_SECRET_KEY = re.compile(
    r"(?i)(?:^|_)(?:public|pub|publishable|anon|site|sort|cache|partition|hash|range|routing|"
    r"idempotency|primary_key|foreign|license_public|map|maps|encryption_public|state|object)_key$"
)
# An identifier beside its secret names one machine identity: `PROD_AWS_ACCESS_KEY_ID` beside
# `PROD_AWS_SECRET_ACCESS_KEY`, `ARM_CLIENT_ID` beside `ARM_CLIENT_SECRET` (a service principal),
# `PROXMOX_TOKEN_ID` beside `PROXMOX_TOKEN_SECRET`, `S3_KEY` beside `S3_SECRET` (an access
# key's id), `B2_APPLICATION_KEY_ID` beside `B2_APPLICATION_KEY`. The id is no secret
# (`secret_present` stays false unless it has a secret's shape).
_IDENTIFIERS = (
    (re.compile(r"^(.*_)?ACCESS_KEY_ID$"),
     ("SECRET_ACCESS_KEY", "SECRET_KEY", "ACCESS_KEY_SECRET", "SECRET")),
    (re.compile(r"^(.*_)?CLIENT_ID$"), ("CLIENT_SECRET",)),
    (re.compile(r"^(.*_)?TOKEN_ID$"), ("TOKEN_SECRET",)),
    (re.compile(r"^(.*_)?KEY$"), ("SECRET",)),
    (re.compile(r"^(.*_)?KEY_ID$"), ("KEY",)),  # `B2_APPLICATION_KEY_ID`, `ZITADEL_KEY_ID`
    (re.compile(r"^(.*_)?ID$"), ("SECRET",)),  # Auth.js's `AUTH_GITHUB_ID`, `AUTH_GITHUB_SECRET`
)  # fmt: skip
_KEY_BESIDE_ID = re.compile(r"^(.*_)?KEY$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_JSON_SECRET = re.compile(
    r'(?i)"[\w-]*(?:token|secret|password|api_?key|private_key|client_secret)"\s*:\s*"([^"]+)"'
)
# Files only tests read (`.env.test`, `.env.e2e`) and keys only tests use (`E2E_PASSWORD`):
# their secrets are fixtures, not leaks.
_TEST_FILE = re.compile(r"(?i)(?:^|[./_-])(?:test|testing|e2e|spec|cypress|playwright)(?:[./_-]|$)")
_TEST_KEY = re.compile(r"(?i)^(?:e2e|test|testing|cypress|playwright)_")
_SAMPLE_FILE = re.compile(
    r"(?i)(?:^|[./_-])(?:example|sample|template|dist|defaults?|tmpl)(?:[./_-]|$)"
)
# Files the application reads as they are: a literal secret there is in use, however weak.
_LIVE_FILES = frozenset({".env", ".env.local", ".env.production", ".env.prod"})
_DIFF = re.compile(r"^(?:diff --git |--- |\+\+\+ |@@ -\d)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Assignment:
    key: str
    value: str
    line: int
    end_line: int
    expands: bool = True  # False in single quotes: `$NAME` is text there


def scan(path: str, text: str) -> Iterator[Identity]:
    """Yield the credential keys of one dotenv file; raise on its first bad line at the end."""
    if path.endswith((".patch", ".diff")) or len(_DIFF.findall(text)) >= 2:
        return  # a unified diff named `.env.patch` is not a dotenv file
    if path.rpartition("/")[2].startswith(_NOT_DOTENV):
        return
    name = path.rpartition("/")[2]
    assignments, bad = parse(text, shell=name == ".envrc" or name.startswith(".envrc."))
    last = {a.key: a for a in assignments}
    for assignment in sorted(last.values(), key=lambda a: a.line):
        identity = credential(path, assignment, last)
        if identity is not None:
            yield identity
    if bad is not None:
        line, reason = bad
        raise ParseError(f"line {line} {reason}; the other lines were scanned", line)


def parse(text: str, *, shell: bool = False) -> tuple[list[Assignment], tuple[int, str] | None]:
    """Assignments in order, and the first line that could not be read (number, reason)."""
    # A lone CR ends an assignment, as python-dotenv reads it, but line numbers are git's: only
    # LF counts, so both halves of `A=1\rB=2` are on the same line (issue 20).
    numbers: list[int] = []
    lines: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        for part in line.removesuffix("\r").split("\r"):
            numbers.append(number)
            lines.append(part)
    found: list[Assignment] = []
    bad: tuple[int, str] | None = None
    index = 0
    while index < len(lines):
        raw = lines[index]
        number = numbers[index]
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ASSIGN.match(raw)
        if match is None and not shell and _BARE_KEY.fullmatch(stripped) \
                and not secrets.secret_in(stripped):  # fmt: skip
            # `PINECONE_API_KEY` alone: python-dotenv reads a key with no value (Auto-GPT); a
            # token alone is no key, and stays an error
            found.append(Assignment(key=stripped.split()[-1], value="", line=number,
                                    end_line=number))  # fmt: skip
            continue
        if match is None:
            if not shell and bad is None:
                bad = (number, "is not KEY=value")
            continue
        key, rest = match[1], match[2]
        value, consumed, problem = _value(rest, lines, index)
        if problem:
            bad = bad or (number, problem)
            break
        index += consumed
        found.append(Assignment(key=key, value=value, line=number, end_line=numbers[index - 1],
                                expands=not rest.startswith("'")))  # fmt: skip
    return found, bad


def _value(rest: str, lines: list[str], index: int) -> tuple[str, int, str]:
    """(value, extra lines consumed, problem) for what follows `KEY=`.

    Linear in what it reads: a quoted value is scanned once, line by line (rescanning the
    growing value for its closing quote made an unclosed quote quadratic, issue 16)."""
    quote = rest[:1]
    if rest.startswith("#"):  # `KEY= # comment`: an empty value
        return "", 0, ""
    if quote not in ("'", '"'):
        comment = _COMMENT.search(rest)  # not `\s+#`: a search restarts it in every blank
        return (rest if comment is None else rest[: comment.start()]).strip(), 0, ""
    pieces, consumed = [rest[1:]], 0
    while True:
        end = _closing(pieces[-1], quote)  # a line break ends any escape, so lines are apart
        if end >= 0:
            pieces[-1] = pieces[-1][:end]
            value = "\n".join(pieces)
            return (_unescape(value) if quote == '"' else value), consumed, ""
        if index + consumed >= len(lines):
            return "", consumed, f"has a {quote} quote that is never closed"
        pieces.append(lines[index + consumed])
        consumed += 1


def _closing(body: str, quote: str) -> int:
    escaped = False
    for position, char in enumerate(body):
        if quote == '"' and char == "\\" and not escaped:
            escaped = True
            continue
        if char == quote and not escaped:
            return position
        escaped = False
    return -1


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\\"nrt$])",
                  lambda m: {"n": "\n", "r": "\r", "t": "\t"}.get(m[1], m[1]), value)  # fmt: skip


def _named(key: str, others: Mapping[str, Assignment]) -> bool:
    """Credential names beyond the shared rules: see `_EXTRA_KEY`, `_NOT_SECRET_KEY` and
    `_IDENTIFIERS`."""
    if secrets.is_credential_name(key) or _EXTRA_KEY.search(key):
        return True
    upper = key.upper()
    keyed = upper.endswith(("_KEY", "_KEYS"))
    if keyed and not _NOT_SECRET_KEY.search(upper.removesuffix("S")) and secrets.provider_for(key):
        return True
    return identifier(key, others) or _unnamed_key(upper, others)


def _upper(key: str) -> str:
    return _CAMEL.sub("_", key).upper()  # `clientId` is `CLIENT_ID`


def identifier(key: str, others: Mapping[str, Assignment]) -> bool:
    """Whether `key` is the id half of an id and secret pair (`_IDENTIFIERS`)."""
    upper = _upper(key)
    for pattern, partners in _IDENTIFIERS:
        pair = pattern.match(upper)
        if pair is not None:
            names = {_upper(k) for k in others}
            return any(f"{pair[1] or ''}{partner}" in names for partner in partners)
    return False


def _unnamed_key(upper: str, others: Mapping[str, Assignment]) -> bool:
    """`ZITADEL_KEY` beside `ZITADEL_KEY_ID`: a key of no known provider, the secret its id
    names."""
    pair = _KEY_BESIDE_ID.match(upper)
    if pair is None or _NOT_SECRET_KEY.search(upper):
        return False
    return f"{pair[1] or ''}KEY_ID" in {_upper(k) for k in others}


def _json_blob(value: str) -> tuple[bool, secrets.Match | None] | None:
    """For a JSON value holding credentials (`AUTH_DATA={"token": "..."}`): (present, shape)."""
    if not value.lstrip().startswith("{"):
        return None
    inner = [m[1] for m in _JSON_SECRET.finditer(value)]
    if not inner:
        return None
    shapes = [secrets.detect(v) for v in inner]
    match = next((m for m in shapes if m is not None), None)
    present = match is not None or any(secrets.looks_secret(v) for v in inner)
    return present, match


def credential(
    path: str, assignment: Assignment, others: Mapping[str, Assignment], *,
    scanner: str = "dotenv", kind: str = "dotenv_credential", shown_as: str | None = None,
) -> Identity | None:  # fmt: skip
    """The credential one assignment declares, judged by its key and value (None when it is
    none); `tfvars` asks the same of a variable's value, reported as `shown_as`."""
    key, value = assignment.key, assignment.value
    match = secrets.detect(value) or secrets.url_secret(value)  # `https://TOKEN@host` (#16)
    leaked = secrets.secret_in(key)
    if leaked is not None:  # a token written as the key: never the name nor the pointer (#16)
        key, match = f"line-{assignment.line}", leaked
    blob = _json_blob(value) if match is None else None
    if blob is not None:
        match = blob[1]
    # A URL carries a credential with a secret's shape (a password, a webhook's token) or a
    # placeholder password an example declares, whatever its key (`DB_SOURCE=postgresql://...`).
    # A URL whose password is `${OTHER}` does not: OTHER is reported where it is set.
    declared = secrets.url_password_state(value) == "placeholder"
    if _CONNECTION_KEY.search(key):
        pass  # reported whatever its value: an empty one is filled in at deploy time
    elif blob is not None or declared:
        pass
    elif _URL_KEY.search(key):
        if match is None and not _WEBHOOK_KEY.search(key):  # a webhook by name is one
            return None
    elif match is None and (not (_named(key, others) or secrets.keyed_secret(key, value))
                            or placeholders.is_switch(value)):  # fmt: skip
        return None
    state = secrets.value_state(value, assignment.expands)
    named_id = match is None and not secrets.is_credential_name(key) and identifier(key, others)
    present = match is not None or (state == "literal" and secrets.looks_secret(value))
    present = present and not named_id  # a client id is no secret, however random
    present = present or bool(blob and blob[0])
    name = path.rsplit("/", 1)[-1]
    sample = bool(_SAMPLE_FILE.search(name))
    test_only = bool((_TEST_FILE.search(name) and not sample) or _TEST_KEY.match(key))
    live = name in _LIVE_FILES or "/.envs/.production/" in f"/{path}"  # cookiecutter-django's
    committed_default = (
        not present and state == "literal" and live and _named(key, others)
        and not _URL_KEY.search(key) and not named_id
    )  # fmt: skip
    if (test_only or sample) and match is not None and match.detector == "url_with_password":
        # A fixture's or an example's DSN: judged as its password alone would be (a random one
        # in a sample is still a secret; none in a test file is).
        match = None
        present = not test_only and secrets.looks_secret(secrets.url_password(value))
    if test_only and match is None:
        present = False  # a test fixture's password is not a leak; a real token shape still is
    attributes: dict[str, JSON] = {
        "value_state": state,
        "secret_present": present,
        "detector": match.detector if match else ("high_entropy" if present else None),
        "provider": secrets.provider_for(key, match) or secrets.url_provider(value),
    }
    if blob is not None and match is None and present:
        attributes["detector"] = "json_credentials"
    if committed_default:
        # `SHARED_SECRET=supersecret` in the `.env` the app reads: weak, but in use as written.
        attributes.update(secret_present=True, detector="committed_default")
    if sample:
        attributes["sample"] = "true"
    if test_only:
        attributes["test_only"] = "true"
    if shown_as is not None and secrets.secret_in(shown_as):  # a token as a map's key
        shown_as = f"line-{assignment.line}"
    shown = key if shown_as is None or leaked is not None else shown_as
    return Identity(
        scanner=scanner, kind=kind, category=Category.CREDENTIAL, name=shown,
        path=path, line=assignment.line, end_line=assignment.end_line, pointer=shown,
        anchor_line=assignment.line, attributes=attributes,
    )  # fmt: skip
