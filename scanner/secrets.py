"""The one secret-shape detector, shared by every scanner that sees values.

Scanners ask three questions: does this name denote a credential, what state is this value
in (empty, placeholder, reference, literal), and does a literal look like a real secret (and of
which provider). Answers carry the detector's name, never the value or any piece of it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.placeholders import (
    is_dummy,
    is_placeholder,
    is_prose,
    is_published,
    is_sequenced,
    jwt_issuer,
    publishable_jwt,
)


@dataclass(frozen=True, slots=True)
class Match:
    """Which known secret shape a value has. Holds no part of the value."""

    detector: str
    provider: str | None


# (detector, provider, pattern), first match wins; patterns are matched against the whole value.
_SHAPES: tuple[tuple[str, str | None, re.Pattern[str]], ...] = tuple(
    (detector, provider, re.compile(pattern))
    for detector, provider, pattern in (
        ("aws_access_key_id", "aws", r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}"),
        ("github_token", "github", r"gh[pousr]_[A-Za-z0-9]{36,255}"),
        ("github_fine_grained_pat", "github", r"github_pat_[A-Za-z0-9_]{22,255}"),
        ("gitlab_token", "gitlab", r"glpat-[A-Za-z0-9_\-]{20,}"),
        ("slack_token", "slack", r"xox[abpre]-[A-Za-z0-9-]{10,}"),
        ("anthropic_api_key", "anthropic", r"sk-ant-[A-Za-z0-9_\-]{20,}"),
        ("openai_api_key", "openai", r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
        ("google_api_key", "google", r"AIza[0-9A-Za-z_\-]{35}"),
        ("stripe_secret_key", "stripe", r"[sr]k_live_[0-9A-Za-z]{16,}"),
        ("supabase_access_token", "supabase", r"sbp_[0-9a-f]{40}"),
        ("npm_token", "npm", r"npm_[A-Za-z0-9]{36}"),
        ("huggingface_token", "huggingface", r"hf_[A-Za-z0-9]{34,40}"),
        ("sendgrid_api_key", "sendgrid", r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"),
        ("pypi_token", "pypi", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}"),
        ("databricks_token", "databricks", r"dapi[0-9a-f]{32}(?:-\d)?"),
        ("digitalocean_token", "digitalocean", r"do[por]_v1_[0-9a-f]{64}"),
        ("twilio_api_key", "twilio", r"SK[0-9a-fA-F]{32}"),
        ("shopify_token", "shopify", r"shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}"),
        ("linear_api_key", "linear", r"lin_api_[A-Za-z0-9]{40}"),
        # Figma's personal access tokens (developers.figma.com/docs/rest-api/authentication).
        ("figma_token", "figma", r"figd_[A-Za-z0-9_\-]{30,}"),
        # Notion's integration tokens since 2024 (developers.notion.com/docs/authorization).
        ("notion_token", "notion", r"ntn_[A-Za-z0-9]{40,}"),
        (
            "slack_webhook_url",
            "slack",
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/[A-Za-z0-9/_\-]{10,}",
        ),
        (
            "discord_webhook_url",
            "discord",
            r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{5,}/[A-Za-z0-9_\-]{40,}",
        ),
        ("private_key", None, r"-----BEGIN[A-Z ]*PRIVATE KEY( BLOCK)?-----[\s\S]*"),
        ("jwt", None, r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
        # A password that is itself a reference (`:${DB_PASSWORD}@`) is not a secret.
        ("url_with_password", None, r"[a-z][a-z0-9+.\-]*://[^/\s:@]+:(?![$%{])[^/\s@]+@[^\s]+"),
    )
)

# `${VAR}`, `$VAR`, `{env:VAR}`, `vault://...`. The braced forms are found by `_has_reference`:
# as regexes (`\$\{[^}]+\}`), a search restarts the `[^}]+` scan at every `${`, which is
# quadratic on a value of many `${` and no `}`.
# What a value is taken from when nothing expands it (single quotes in a `.env`): a vault.
_VAULT = re.compile(r"(?:vault|op|aws-sm|gcp-sm|azure-kv|secretsmanager)://\S")
_REFERENCE = re.compile(r"\$[A-Za-z_]|" + _VAULT.pattern)


def _has_reference(value: str) -> bool:
    """Whether a value holds a reference to a variable, a vault or a secret manager."""
    if _REFERENCE.search(value):
        return True
    for piece in value.split("}")[:-1]:  # each text before a `}`, which must not be empty
        for opening in ("${", "{env:"):
            start = piece.find(opening)
            if start >= 0 and start + len(opening) < len(piece):
                return True
    return False


# The password in a URL's userinfo: `scheme://user:PASSWORD@host`.
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.\-]*://[^/\s:@]*:([^/\s@]+)@", re.IGNORECASE)
_PLACEHOLDER_PASSWORDS = frozenset({"pass", "passwd", "pwd", "pw", "pass123", "password123"})
_CREDENTIAL_NAME = re.compile(
    r"(?i)(?:^|[_\-.])(?:api[_\-]?key|apikey|access[_\-]?key(?:[_\-]id)?|secret(?:[_\-]?key)?|"
    r"token|password|passwd|pwd|pass|pass[_\-]?phrase|pat|private[_\-]?key|client[_\-]?secret|"
    r"credentials?|auth|bearer|dsn|connection[_\-]?string|webhook[_\-]?url|"
    r"(?:signing|encryption|master|session|license|jwt|hmac|webhook|app|service[_\-]?role|"
    r"admin|server|root|deploy|management|credentials?|token|password|service|private)"
    r"[_\-]?keys?|jwt)$"
    # `SERPAPI_KEY`, `OPENAIAPIKEY`: an API key whatever is glued before it.
    r"|api[_\-]?keys?$"
    # `BITCOIN_RPCPASSWORD`, `DBPASSWORD`: a password whatever is glued before it.
    r"|password$"
    # `POSTGRES_PW`, `PGADMIN_PW` (docker/awesome-compose): never alone (Playwright's `PW_*`).
    r"|[_\-.]pw$"
)
_PROVIDER_NAMES = (
    ("github", "github"), ("gh_", "github"), ("gitlab", "gitlab"), ("openai", "openai"),
    ("anthropic", "anthropic"), ("claude", "anthropic"), ("slack", "slack"), ("aws", "aws"),
    ("google", "google"), ("gcp", "google"), ("gemini", "google"), ("azure", "azure"),
    ("stripe", "stripe"), ("datadog", "datadog"), ("dd_", "datadog"), ("sentry", "sentry"),
    ("notion", "notion"), ("linear", "linear"), ("jira", "atlassian"), ("atlassian", "atlassian"),
    ("postgres", "postgres"), ("database", "database"), ("supabase", "supabase"),
    ("cloudflare", "cloudflare"), ("twilio", "twilio"), ("sendgrid", "sendgrid"),
    ("npm", "npm"), ("docker", "docker"), ("hf_", "huggingface"), ("huggingface", "huggingface"),
    ("brave", "brave"), ("tavily", "tavily"), ("exa", "exa"), ("firecrawl", "firecrawl"),
    ("cohere", "cohere"), ("openrouter", "openrouter"), ("groq", "groq"), ("mistral", "mistral"),
    ("telegram", "telegram"), ("discord", "discord"), ("cloudinary", "cloudinary"),
    ("shopify", "shopify"), ("mongo", "mongodb"), ("redis", "redis"),
)  # fmt: skip


_JWT_ISSUERS = {"supabase": "supabase"}


def detect(value: str) -> Match | None:
    """The known secret shape of a literal value, if it has one.

    A value shaped like a token but filled in by hand (`ghp_xxxx...`, `sk-proj-aaaa...`,
    `AKIA...EXAMPLE`) and a URL whose password is a placeholder (`user:password@`) are not
    secrets: they are what example files are full of.
    """
    candidate = value.strip()
    for detector, provider, pattern in _SHAPES:
        if not pattern.fullmatch(candidate):
            continue
        if detector == "url_with_password":
            if url_password_state(candidate) != "literal":
                return None
        elif is_dummy(detector, candidate):
            return None
        if detector == "jwt":  # Supabase's anon and service_role keys are JWTs it issues
            if publishable_jwt(candidate):  # the anon key: handed to every browser
                return None
            provider = _JWT_ISSUERS.get(jwt_issuer(candidate) or "")
        return Match(detector, provider)
    return None


def url_password(value: str) -> str:
    """The password in a URL's userinfo, or "" (for judging only: never kept)."""
    found = _URL_PASSWORD.match(value.strip())
    return found[1] if found else ""


def url_password_state(value: str) -> str | None:
    """The state of the password in a URL's userinfo (`reference`, `placeholder`, `literal`),
    or None when the value is not a URL with a password."""
    password = url_password(value)
    if not password:
        return None
    if _has_reference(password) or password.startswith(("$", "%", "{")):
        return "reference"
    if (
        password.lower() in _PLACEHOLDER_PASSWORDS
        or is_placeholder(password)
        or _NAMED_PASSWORD.fullmatch(password)  # `db_password`: the field's name, not a value
    ):
        return "placeholder"
    return "literal"


_NAMED_PASSWORD = re.compile(
    r"(?i)(?:db|user|your|my|app|admin|root|postgres|mysql|redis|mongo|rabbit|the)[_\-]?"
    r"(?:password|passwd)"
)
_PATH = re.compile(r"^(?:/|\./|\.\./|~/|[A-Za-z]:\\)[^\s]*$")


def value_state(value: str, expands: bool = True) -> str:
    """`empty`, `reference` (to a variable, a vault or a file), `placeholder`, or `literal`.
    With `expands` False (a single-quoted `.env` value), `$NAME` is text, not a variable."""
    stripped = value.strip().strip("'\"")
    if not stripped:
        return "empty"
    if (_has_reference(stripped) if expands else _VAULT.search(stripped)) \
            or _PATH.match(stripped):  # fmt: skip
        return "reference"
    if detect(stripped) is not None:  # a real token may hold `xxx` by chance
        return "literal"
    if (
        is_placeholder(stripped)
        or is_prose(stripped)
        or url_password_state(stripped) == "placeholder"
        or (len(stripped) >= 4 and len(set(stripped)) == 1)  # `0000`, `aaaaaaaa`
        or is_sequenced(stripped)  # `abc123def456`
        or is_published(stripped)  # gcloud's installed-app client secret
        or (stripped.startswith("eyJ") and publishable_jwt(stripped))  # Supabase's anon key
        or any(p.fullmatch(stripped) and is_dummy(d, stripped) for d, _, p in _SHAPES)
    ):
        return "placeholder"
    return "literal"


# Credential names the suffix rules would miss or exclude.
_KNOWN = frozenset({
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "SECRET_KEY_BASE",
    "GOOGLE_APPLICATION_CREDENTIALS_JSON", "AZURE_CLIENT_SECRET", "PGPASSWORD", "MYSQL_PWD",
})  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_CREDENTIAL = re.compile(
    r"(?i)(?:^|_)(?:token_(?:url|uri|endpoint|expiry|expires|ttl|type|file|path)|"
    r"(?:key|token)_(?:id|name|file|path|length|prefix)|auth_(?:url|uri|domain|type|mode|host))$"
)
# Feature flags (`DISABLE_AUTH`, `AUTH_TOKEN_REQUIRED`) switch a credential on or off; they are
# not one.
_FLAG = re.compile(
    r"(?i)^(?:enable|disable|enabled|disabled|require|skip|use|allow|no|is|has|should)_|"
    r"_(?:enable|disable|enabled|disabled|required|optional)$"
)


# Build tools expose these to browsers by design: never secrets by name (a secret-shaped value
# under one is still found by its shape).
PUBLIC_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "PUBLIC_", "EXPO_PUBLIC_",
                   "NUXT_PUBLIC_", "GATSBY_", "STORYBOOK_")  # fmt: skip


def is_credential_name(name: str) -> bool:
    """Whether a variable, header or key name denotes a credential (`GITHUB_TOKEN`, `X-Api-Key`,
    `exaApiKey`), not something about one (`TOKEN_URL`, `AUTH_DOMAIN`)."""
    snake = _CAMEL.sub("_", name.strip().lstrip("-"))
    if snake.upper().replace("-", "_") in _KNOWN:
        return True
    if snake.upper().startswith(PUBLIC_PREFIXES):
        return False
    if _NOT_CREDENTIAL.search(snake) or _FLAG.search(snake):
        return False
    return bool(_CREDENTIAL_NAME.search(snake)) or snake.lower() in (
        "authorization",
        "proxy-authorization",
    )


_KEY_WORD = re.compile(r"(?i)(?:^|[_\-.])key$")


def keyed_secret(name: str, value: str) -> bool:
    """A random-looking literal under a name whose last word is `key` (`HA_AGENT_KEY`): such
    names are left out of the credential names (`SORT_KEY`, `S3_KEY`), so the value decides;
    a path (two `/` or more) never does."""
    snake = _CAMEL.sub("_", name.strip())
    if snake.upper().startswith(PUBLIC_PREFIXES):  # shipped to every browser by design
        return False
    return bool(_KEY_WORD.search(snake)) and value.count("/") < 2 and looks_secret(value)


def resource_name(value: str) -> bool:
    """Whether a value names a cloud resource (an ARN, GCP's `projects/.../cryptoKeys/...`)."""
    return re.match(r"arn:|(?:projects|organizations|folders)/", value.strip()) is not None


def looks_secret(value: str) -> bool:
    """A guarded entropy check for literals with no known shape: long, mixed, random-looking.

    Only for values already known to sit under a credential name; paths, URLs, cloud resource
    names (an ARN, GCP's `projects/...`), words with spaces and placeholders never qualify."""
    candidate = value.strip().strip("'\"")
    if len(candidate) < 16 or len(candidate) > 512 or value_state(candidate) != "literal":
        return False
    if (
        resource_name(candidate)
        or re.search(r"\s|://", candidate)
        or not re.fullmatch(r"[A-Za-z0-9+/=_\-.~:]+", candidate)
    ):
        return False
    classes = sum(bool(re.search(p, candidate)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    if classes < 2:
        return False
    counts = {c: candidate.count(c) for c in set(candidate)}
    entropy = -sum(n / len(candidate) * math.log2(n / len(candidate)) for n in counts.values())
    return entropy >= 3.5


def url_provider(value: str) -> str | None:
    """The service a URL with a password belongs to, from its scheme (`postgres://...`)."""
    scheme = re.match(r"^([a-z][a-z0-9]*)(?:\+[a-z0-9]+)?://[^/\s:@]+:[^/\s@]+@", value.strip())
    if scheme is None:
        return None
    return {"postgresql": "postgres", "mongodb": "mongodb", "rediss": "redis"}.get(
        scheme[1], scheme[1]
    )


def provider_for(name: str, match: Match | None = None) -> str | None:
    """The provider a credential belongs to, from its value's shape or else its name."""
    if match is not None and match.provider is not None:
        return match.provider
    lowered = name.lower()
    for needle, provider in _PROVIDER_NAMES:
        if lowered.startswith(needle) or f"_{needle}" in lowered:
            return provider
    return None


# -- values where a name, a reference or a URL should be (#16) ---------------------------------

_SCHEME_CHAR = re.compile(r"[A-Za-z0-9+.\-]")
_AUTHORITY_END = re.compile(r"[/?#\s]")
_PIECES = re.compile(r"[\s\"'`=,;:/@?&#()\[\]{}<>|\\]+")
_RANDOM_RUN = re.compile(r"[A-Za-z0-9]{16,}")
_SHORTEST = 15  # the shortest known shape (`xoxb-` and 10 more) and below looks_secret's 16


def _userinfos(text: str) -> Iterator[tuple[int, int]]:
    """`(start, end)` of each URL userinfo in `text`, `@` included: from after `scheme://` to
    the last `@` before the path (an unencoded `@` in a password is part of it). Linear: each
    authority is read once, and a regex over the scheme would be quadratic on long words."""
    for found in re.finditer("://", text):
        start = found.end()
        if found.start() == 0 or not _SCHEME_CHAR.match(text, found.start() - 1):
            continue
        end = _AUTHORITY_END.search(text, start)
        at = text.rfind("@", start, end.start() if end else len(text))
        if at >= 0:
            yield start, at + 1


def strip_userinfo(text: str) -> str:
    """`text` with the userinfo of every URL in it removed (`git::https://oauth2:T@host/x` ->
    `git::https://host/x`). Every URL a scanner keeps goes through here: userinfo is where
    tokens ride, and no report needs the user name of a URL."""
    kept, position = [], 0
    for start, end in _userinfos(text):
        kept.append(text[position:start])
        position = end
    return "".join(kept) + text[position:]


def url_secret(text: str) -> Match | None:
    """A credential in the userinfo of a URL inside `text`: a literal password, or a user name
    with a secret's shape (`https://ghp_...@github.com`)."""
    for start, end in _userinfos(text):
        user, colon, password = text[start : end - 1].partition(":")
        if colon and url_password_state(f"x://u:{password}@h") == "literal":
            return Match("url_with_password", None)
        match = detect(user) or (detect(password) if colon else None)
        if match is not None:
            return match
    return None


def secret_in(text: str) -> Match | None:
    """The secret a string that should be a name, a reference or a URL holds, if any.

    Known shapes anywhere in it, a credential in a URL's userinfo, or a random-looking run
    (long, letters and digits interleaved: `a3f9...`, never `serviceAccount2024`). Used
    before any such string becomes an identity's name, pointer, reference or attribute.
    """
    if len(text) < _SHORTEST and "@" not in text:  # most names: no shape is this short
        return None
    match = detect(text) or url_secret(text)
    if match is not None:
        return match
    for piece in _PIECES.split(text):
        match = detect(piece)
        if match is not None:
            return match
        if looks_secret(piece) and any(_random(run) for run in _RANDOM_RUN.findall(piece)):
            return Match("high_entropy", None)
    return None


def _random(run: str) -> bool:
    """Letters and digits interleaved as a random token's are (4 switches or more)."""
    kinds = ["d" if c.isdigit() else "a" for c in run]
    return sum(a != b for a, b in itertools.pairwise(kinds)) >= 4
