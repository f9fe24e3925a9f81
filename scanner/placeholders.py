"""Values that stand in for a secret: placeholders (`changeme`, `<token>`, `YOUR_KEY_HERE`),
instructions written where the value goes, switches (`false`), tokens typed by hand to show a
shape (`ghp_xxxx...`, a PEM stub) and tokens their vendor publishes. Pure; `scanner.secrets`
asks these questions before it calls a value a secret.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

# `***REMOVED***` is what history scrubbers leave; values ending in EXAMPLE or EXAMPLEKEY are
# the AWS documentation's sample keys (AKIAIOSFODNN7EXAMPLE). Three regexes, each linear: a
# whole-value one (one start position) and two unanchored ones with bounded alternatives. As
# one regex with `.*x{3,}.*`, a 4 KB value of `x` and a newline took minutes (cubic).
_PLACEHOLDER_WHOLE = re.compile(
    r"(?i)x{3,}|\.{3,}|-+|\?+|changeme|change[_-]?(?:me|it)|replace[_-]?me|todo|tbd|none|null|"
    r"dummy|example|sample|placeholder|secret|password|token|test|fake|redacted|foo(?:bar)?|baz|"
    r"<[^>]*>|\[[^\]]*\]|\[\[[^\]]*\]\]|(?:your|enter|insert)[_\- ][^\n]*"
)
# Only for one-line values, as `.` in the former `.*...` never matched a newline.
_PLACEHOLDER_END = re.compile(r"(?i)(?:[_\-]here|\.{3}|example(?:key)?)\Z")
_PLACEHOLDER_PART = re.compile(
    r"(?i)x{3}|\*{3}|placeholder|change[_\-]?(?:me|it)|change[_\-]this|replace[_\-]?me|"
    r"example[_\-]?key|(?-i:[Yy]our[A-Z])|(?:^|[_\-])your[_\-]|"  # ghp_your_github_token (#18)
    r"(?:^|[_\-])dummy[_\-]|not[_\-]?a[_\-]?secret|"  # dummy-byok-key (microsoft/mcp), not-a-secret
    r"(?-i:^(?:change|replace)[A-Z])"  # changePassword, changeRunnerAuthToken (n8n-io/n8n-hosting)
)

# YAML 1.1's boolean words (what GitHub reads unquoted): `persist-credentials: 'false'` and
# `SMTP_AUTH=true` switch a credential's use on or off; the value is no credential.
_SWITCHES = frozenset({"true", "false", "yes", "no", "on", "off"})


def is_switch(value: str) -> bool:
    """Whether a whole value is a boolean word, quoted or not, in any case."""
    return value.strip().strip("'\"").lower() in _SWITCHES


# Words that choose how to sign in rather than being a credential (`DAGGER_CLOUD_TOKEN: oidc`
# turns on Dagger Cloud's OIDC sign-in, seen in dagger/dagger).
_MODES = frozenset({"oidc", "iam", "sso", "keyless", "anonymous", "none", "inherit", "auto"})


def is_mode(value: str) -> bool:
    """Whether a whole value is a word choosing a sign-in mode, quoted or not, in any case."""
    return value.strip().strip("'\"").lower() in _MODES


def is_placeholder(value: str) -> bool:
    """Whether a whole value is a placeholder (`changeme`, `<token>`, `xxx`, `YOUR_KEY_HERE`)."""
    if _PLACEHOLDER_WHOLE.fullmatch(value):
        return True
    if "\n" in value:
        return False
    return bool(_PLACEHOLDER_END.search(value) or _PLACEHOLDER_PART.search(value))


# Instructions written where the value goes (`generate_a_new_key`, `copy from the dashboard`):
# three or more words, starting with a verb telling the reader what to do (issue 19).
_PROSE = re.compile(
    r"(?i)^(?:generate|get|copy|paste|put|set|add|create|use|fill|ask|see|obtain|request|"
    r"enter|insert|provide|run)(?:[_\- ]+[a-z]+){2,}[.!]?$|^copy[_\- ]from\b.*"
)


def is_prose(value: str) -> bool:
    """Whether a whole value is an instruction to the reader (`generate_a_new_key`)."""
    return bool(_PROSE.match(value))


# What a hand-typed token or key body contains and a random one (almost) never does.
_DUMMY = re.compile(
    r"(?i)x{5,}|\*{3,}|\.{3}|[<>]|your[_\- ]|(?-i:[Yy]our[A-Z])|[_\-]here$|example(?:key)?$|"
    r"placeholder|change[_\-]?(?:me|this)|replace[_\-]?me|insert[_\-]|paste[_\-]|sample"
)


_ORDERED = "abcdefghijklmnopqrstuvwxyz", "0123456789"


def is_sequenced(value: str) -> bool:
    """Typed in order to show a token's shape: a run of six (`abcdefgh`, `123456`, `aBcDeF`)
    or three runs of three (`abc123def456`), as Docker's MCP registry examples write them
    (`patABC123.def456ghi789...`, `00aBcDeFGhIjkLmNoPqRsTuVwxYz`). A random token holds either
    about once in a million."""
    runs, length, previous = 0, 1, ""
    for char in value.lower():
        if previous and any(previous + char in alphabet for alphabet in _ORDERED):
            length += 1
            runs += length == 3
            if length >= 6 or runs >= 3:
                return True
        else:
            length = 1
        previous = char
    return False


def is_dummy(detector: str, candidate: str) -> bool:
    """A value with a token's shape typed by hand (`ghp_xxxx...`, `sk-proj-aaaa...`), or a PEM
    block around `...` or `YOUR_KEY_HERE`."""
    if detector == "private_key":
        body = re.sub(r"-----[A-Z ]+-----|\\n|\s", "", candidate)
        # The smallest private key is an Ed25519 one in PKCS#8: 48 bytes, 64 base64 characters.
        # A shorter body (`MIIEpAIBAAKCAQEA`, a real key's first line, in outline/outline's
        # .env.test), or one that is not base64 at all, is a stub written to show the format.
        stub = len(body) < 64 or not re.fullmatch(r"[A-Za-z0-9+/=]+", body)
        return stub or bool(_DUMMY.search(body))
    published = detector == "jwt" and _published_jwt(candidate)
    return (published or bool(_DUMMY.search(candidate)) or len(set(candidate[-16:])) <= 3
            or is_sequenced(candidate))  # fmt: skip


# Client secrets a vendor ships inside public software, the same on every machine, by SHA-256:
# the Google Cloud SDK's installed-app OAuth client (32555940559.apps.googleusercontent.com,
# `CLOUDSDK_CLIENT_NOTSOSECRET` in googlecloudsdk/core/config.py), which tools that reuse
# gcloud's sign-in write into their .env (GoogleCloudPlatform/cloud-run-mcp).
_PUBLISHED = frozenset({"456a51b1f1b3cf3ed76de579926f0727797eb6efb4b7e6a53c74f9a94c95d87a"})


def is_published(value: str) -> bool:
    """Whether a whole value is a secret its vendor publishes (`_PUBLISHED`)."""
    return 16 <= len(value) <= 64 and hashlib.sha256(value.encode()).hexdigest() in _PUBLISHED


def _published_jwt(token: str, issuers: frozenset[str] = frozenset({"supabase-demo"})) -> bool:
    """Whether a JWT's payload names an issuer that publishes its tokens, the same on every
    machine: the Supabase CLI's local stack signs its anon and service_role keys with a fixed
    secret as `supabase-demo` (supabase/cli#654; every `supabase start` prints them)."""
    return jwt_issuer(token) in issuers


def publishable_jwt(token: str) -> bool:
    """A Supabase `anon` key: a JWT of issuer `supabase` and role `anon`, which Supabase hands to
    every browser (supabase.com/docs/guides/api/api-keys); row-level security guards the data."""
    claims = _claims(token)
    return claims.get("iss") == "supabase" and claims.get("role") == "anon"


def jwt_issuer(token: str) -> str | None:
    """The `iss` claim of a JWT's payload, or None (not base64, not JSON, no issuer)."""
    issuer = _claims(token).get("iss")
    return issuer if isinstance(issuer, str) else None


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1] if token.count(".") == 2 else ""
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:  # not base64 or not JSON (binascii.Error and UnicodeError included)
        return {}
    return claims if isinstance(claims, dict) else {}
