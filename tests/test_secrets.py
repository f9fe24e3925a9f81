"""The shared secret-shape detector: each shape with a hit and a near miss, states and names."""

from __future__ import annotations

import pytest

from scanner import secrets

# Made-up key bodies of real lengths: RSA's runs to hundreds of characters; Ed25519 in PKCS#8 is
# the smallest private key there is, 64 base64 characters.
RSA_BODY = "MIIEpAIBAAKCAQEAodJFCrnl2edlBDdz1C5Jau2RJtBRnlWmTSHf6pWkLUyifDLk" * 12
ED25519_BODY = "MC4CAQAwBQYDK2VwBCIEIHtYnQ3pVx8WkL2sJd9Rf5Tg7Yh1Uj3Ik6Ol9Pq2Ws4E"

DETECT_CASES = [
    ("AKIA2OGYBAH6RL5KXW7Q", "aws_access_key_id"),
    ("AKIA2OGYBAH6RL5KXW7", None),  # one character short
    ("AKIAIOSFODNN7EXAMPLE", None),  # the AWS documentation's sample key
    ("ASIAY34FZKBOKMUTVV7A", "aws_access_key_id"),
    ("ghp_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q", "github_token"),
    ("ghp_short", None),
    ("ghs_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q", "github_token"),
    ("ghx_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q", None),  # no such GitHub prefix
    ("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", None),  # typed over
    ("github_pat_11DKQQUDH9tRnZsRxYyPyY_SoHaTcDjDoAvPv5364556815", "github_fine_grained_pat"),
    ("github_pat_short", None),
    ("glpat-Vb7nQ2xL9mK4pR8sT1wZ", "gitlab_token"),
    ("glpat-short", None),
    ("glpat-xxxxxxxxxxxxxxxxxxxx", None),
    ("xoxb-9283746501-QpWmZrTxYvUs", "slack_token"),
    ("xoxz-9283746501-QpWmZrTxYvUs", None),
    ("sk-ant-api03-Qw7Er9Ty2Ui4Op6As8Df1Gh3Jk5Lz", "anthropic_api_key"),
    ("sk-ant-xxxx", None),
    ("sk-proj-Zq9XwV8uT7sR6qP5oN4mL3kJ2iH1gF0e", "openai_api_key"),
    ("sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", None),  # one character repeated
    ("sk-short", None),
    ("sk-...", None),
    ("AIzaSyD4nQ8x2Lm7Pk9Rt3Wv6Yb1Hc5Fj0Ge2Ks", "google_api_key"),
    ("AIzaShort", None),
    ("sk_live_51Hx9QwErTyUiOpAsDfGh", "stripe_secret_key"),
    ("sk_test_51Hx9QwErTyUiOpAsDfGh", None),
    ("rk_live_51Hx9QwErTyUiOpAsDfGh", "stripe_secret_key"),
    ("sk_live_yourStripePrivateLiveKey", None),  # typed by hand
    (f"-----BEGIN RSA PRIVATE KEY-----\n{RSA_BODY}\n-----END RSA PRIVATE KEY-----", "private_key"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", None),
    (f"-----BEGIN PRIVATE KEY-----\n{ED25519_BODY}\n-----END PRIVATE KEY-----", "private_key"),
    ("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", None),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.Xk3Lp9Qw7Er2Ty5Ui8Op", "jwt"),
    ("eyJhbGciOiJIUzI1NiJ9.payload", None),
    ("postgres://app:Pg-pass@db:5432/app", "url_with_password"),
    ("postgres://app@db:5432/app", None),
    ("postgres://user:password@localhost/app", None),  # a placeholder password
    ("postgres://app:${DB_PASSWORD}@db/app", None),  # a referenced password
    (
        "https://hooks.slack.com/services/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",
        "slack_webhook_url",
    ),
    ("https://hooks.slack.com/services/", None),
    (
        "https://discord.com/api/webhooks/807370283822264686/Cm4Fl2Io7Yn4Of5Qp7Dq8Zi1Gh0Co5Nr2Al2Lr9Zr3Dt4Ry9X",
        "discord_webhook_url",
    ),
    ("https://discord.com/api/webhooks/123456789012345678", None),
    ("sbp_9f3c2a7d1e5b8c4a6f0d2e9b7c1a5f3d8e6b4c2a", "supabase_access_token"),
    ("sbp_9f3c2a7d1e5b8c4a6f0d2e9b7c1a5f3d8e6b4c2Z", None),  # not hex
    ("npm_Qx7Lm2Pk9Rt3Wv6Yb1Hc5Fj0Ge2Ks4Nd8Azq", "npm_token"),
    ("npm_Qx7Lm2Pk9Rt3Wv6Yb1Hc5Fj0Ge2Ks4Nd8Az", None),  # 35 characters
    ("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", "huggingface_token"),
    ("hf_QxLmPkRtWv", None),
    ("dapi299e490bbed2cf3dfc8df07413df4f73", "databricks_token"),
    ("dapi0123456789abcdef0123456789abcdeg", None),  # not hex
    (
        "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",
        "sendgrid_api_key",
    ),
    ("SG.Qw3Er5Ty7Ui9Op1As3Df5G", None),
    (
        "pypi-AgEIcHlwaS5vcmc" + "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5Nm7Qw9Er1Ty3Ui5Op7",
        "pypi_token",
    ),
    ("pypi-AgEIcHlwaS5vcmcShort", None),
    ("dop_v1_" + "9f3c2a7d1e5b8c4a" * 4, "digitalocean_token"),
    ("dop_v1_9f3c2a7d1e5b8c4a", None),
    ("SKef8c9fcd698014efb68fefd19ae3e8e5", "twilio_api_key"),
    ("SK0123456789abcdef", None),
    ("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", "shopify_token"),
    ("shpat_0123456789abcdefg", None),
    ("lin_api_Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5Nm7Q", "linear_api_key"),
    ("lin_api_short", None),
    ("figd_Xq7Lw2Nv9Rb4Tc8Mz3Kp6Hs1Gd5Fj0YeAu_Wi-Qo", "figma_token"),
    ("figd_short", None),
    ("ntn_" + "Rk4mX9qL2vT7wN3cB8hJ5sD1fG6pZ0yAeUiOtWqEr", "notion_token"),
    ("ntn_short", None),
    ("hello world", None),
]


@pytest.mark.parametrize(("value", "detector"), DETECT_CASES)
def test_detect(value: str, detector: str | None) -> None:
    match = secrets.detect(value)
    assert (match.detector if match else None) == detector


@pytest.mark.parametrize(
    ("value", "state"),
    [
        ("", "empty"), ("  ", "empty"), ("''", "empty"),
        ("${OTHER}", "reference"), ("$OTHER", "reference"), ("{env:X}", "reference"),
        ("${{ secrets.X }}", "reference"), ("vault://secret/db", "reference"),
        ("/run/secrets/key.json", "reference"), ("./key.pem", "reference"),
        ("changeme", "placeholder"), ("xxx", "placeholder"), ("<your-key>", "placeholder"),
        ("your_api_key_here", "placeholder"), ("sk_test_xxx", "placeholder"),
        ("...", "placeholder"),
        ("[REDACTED]", "placeholder"), ("REPLACE_ME", "placeholder"),
        ("***REMOVED***", "placeholder"), ("dev-only-change-me", "placeholder"),
        ("changeit", "placeholder"), ("CHANGE_IT", "placeholder"), ("foobar", "placeholder"),
        ("foo", "placeholder"), ("foobarbaz", "literal"),
        ("?", "placeholder"), ("change-this-password", "placeholder"),
        # n8n-io/n8n-hosting's docker-compose .env files: "change" and the value's name
        ("changePassword", "placeholder"), ("changeRunnerAuthToken", "placeholder"),
        ("changeEncryptionKey", "placeholder"), ("replaceWithRealKey", "placeholder"),
        ("changelog-2026-Xq9", "literal"), ("exchangePassword7", "literal"),
        # docker/mcp-registry's examples: typed in order to show a token's shape
        ("patABC123.def456ghi789jkl012mno345pqr678stu901vwx", "placeholder"),
        ("00aBcDeFGhIjkLmNoPqRsTuVwxYz", "placeholder"), ("ref-abcdefghi123", "placeholder"),
        ("pia_5cFd9jtG3zbY4VpREewTP17uzdfnvMt8_3m778O2dv8", "literal"), ("a1b2c3", "literal"),
        # the Google Cloud SDK's public OAuth client secret (googlecloudsdk/core/config.py
        # CLOUDSDK_CLIENT_NOTSOSECRET), as GoogleCloudPlatform/cloud-run-mcp's .env writes it
        ("ZmssLNjJy2998hD4CTg2ejr2", "placeholder"), ("ZmssLNjJy2998hD4CTg2ejr3", "literal"),
    ("YourSuperSecretKeyForJwt123", "placeholder"),
        ("0000", "placeholder"), ("AKIAIOSFODNN7EXAMPLE", "placeholder"),
        ("ghp_your_github_personal_access_token", "placeholder"),
        ("sk-your-key", "placeholder"), ("yourkey", "literal"),
        ("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholder"),
        ("sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "placeholder"),
        ("postgres://user:password@localhost/app", "placeholder"),
        ("postgres://app:${DB_PASSWORD}@db/app", "reference"),
        ("postgres://app:Pg-pass-2026@db/app", "literal"), ("postgres", "literal"),
        ("hunter2", "literal"), ("Zx8Q4kLp9vN2mR7tY1wB5cHd", "literal"),
    ],
)  # fmt: skip
def test_value_state(value: str, state: str) -> None:
    assert secrets.value_state(value) == state


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GITHUB_TOKEN", True), ("X-Api-Key", True), ("exaApiKey", True), ("Authorization", True),
        ("AWS_ACCESS_KEY_ID", True), ("AWS_SECRET_ACCESS_KEY", True), ("DB_PASSWORD", True),
        ("--api-key", True), ("client_secret", True), ("SIGNING_KEY", True), ("PGPASSWORD", True),
        ("PORT", False), ("NODE_ENV", False), ("LOG_LEVEL", False), ("TOKEN_URL", False),
        ("AUTH_DOMAIN", False), ("KEY_ID", False), ("PUBLIC_KEY_PATH", False), ("DEBUG", False),
        ("SERPAPI_KEY", True), ("MAIL_PASS", True), ("CLOB_PASS_PHRASE", True),
        ("RUNNER_CFG_PAT", True), ("CREDENTIALS_KEY", True), ("SLACK_WEBHOOK_URL", True),
        ("DISABLE_AUTH", False), ("ENABLE_API_KEY", False), ("AUTH_TOKEN_REQUIRED", False),
        ("BYPASS", False), ("PATH", False), ("MONKEY", False),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", False),
        ("TOKEN_TTL", False), ("OPENAI_MAX_TOKENS", False),
        ("POSTGRES_PW", True), ("adminPw", True), ("PW", False), ("NEW_PWA", False),
        ("PW_TEST_HTML_REPORT_OPEN", False),
    ],
)  # fmt: skip
def test_credential_names(name: str, expected: bool) -> None:
    assert secrets.is_credential_name(name) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Zx8Q4kLp9vN2mR7tY1wB5cHd", True), ("a8f5f167f44f4964e6c998dee827110c", True),
        ("correct horse battery staple", False), ("aaaaaaaaaaaaaaaaaaaa", False),
        ("short1A", False), ("https://example.com/aB3dE5fG7hJ9kL", False),
        ("changeme-changeme-changeme", False),
        # Cloud resource names under a key's name (osinfra-io's `opentofu_kms_encryption_key`).
        ("projects/plt-lz-backend-tf5f-prod/locations/us/keyRings/state-encryption/cryptoKeys/"
         "default", False),
        ("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", False),
        ("dummy-byok-key-for-offline-mode", False), ("not-a-secret-but-long-enough", False),
        ("kX9/pL2qR7/vT4mN8sW3cF6hJ1yB5dG0", True),  # base64 holds slashes too
    ],
)  # fmt: skip
def test_guarded_entropy(value: str, expected: bool) -> None:
    assert secrets.looks_secret(value) is expected


def test_every_detector_has_a_hit_in_the_table() -> None:
    shapes = {detector for detector, _, _ in secrets._SHAPES}
    assert {detector for _, detector in DETECT_CASES if detector} == shapes


def test_matches_never_carry_the_value() -> None:
    value = "ghp_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q"
    match = secrets.detect(value)
    assert match is not None
    assert all(value[i : i + 8] not in repr(match) for i in range(len(value) - 7))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("git::https://oauth2:glpat-Vb7nQ2xL9mK4pR8sT1wZ@gitlab.com/x.git?ref=v1",
         "git::https://gitlab.com/x.git?ref=v1"),
        ("--from=git+https://u:p@ss@github.com/o/p@v1", "--from=git+https://github.com/o/p@v1"),
        ("1https://u:pw@h/x", "1https://h/x"),  # a scheme glued to a word is still a scheme
        ("https://h/x@y?a=b@c", "https://h/x@y?a=b@c"),  # `@` after the authority
        ("://u:p@h x:// a ://u:p@h", "://u:p@h x:// a ://u:p@h"),  # no scheme, no authority
        ("a@b.com git@github.com:o/r.git", "a@b.com git@github.com:o/r.git"),  # not URLs
        ("https://a@b https://c:d@e/f", "https://b https://e/f"),
    ],
)  # fmt: skip
def test_strip_userinfo(text: str, expected: str) -> None:
    assert secrets.strip_userinfo(text) == expected


@pytest.mark.parametrize(
    ("text", "detector"),
    [
        ("https://ci:Zx8Q4kLp9vN2mR7tY1wB5cHd@vault.example.com", "url_with_password"),
        ("git+https://ghp_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q@github.com/o/p", "github_token"),
        ("https://x:ghp_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q@h", "url_with_password"),
        ("Bearer sk-proj-Zq9XwV8uT7sR6qP5oN4mL3kJ2iH1gF0e", "openai_api_key"),
        ("3f2a9c7e1b5d3f8a0c6e2b9d4f7a1c3e5b7d9f1a", "high_entropy"),
        ("https://ci:${VAULT_PASSWORD}@vault", None),
        ("https://git@github.com/o/r", None),
        ("GITHUB_PERSONAL_ACCESS_TOKEN", None),
        ("myServiceAccount2024Key", None),  # letters and digits, but not interleaved
        ("a1b2c3d4-e5f6-4789-abcd-0123456789ab", None),  # a GUID: no 16-character run
        ("arn:aws:iam::123456789012:role/deploy", None),
    ],
)
def test_secret_in_names_and_urls(text: str, detector: str | None) -> None:
    match = secrets.secret_in(text)
    assert (match.detector if match else None) == detector


def _jwt(payload: str) -> str:
    import base64

    body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return (
        f"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{body}.Vq3kZr8TnW2yLm5pXc7hBd9fJs4gKa1eRt6uNo0iQwE"
    )


@pytest.mark.parametrize(
    ("payload", "state"),
    [
        ('{"iss":"supabase-demo","role":"service_role"}', "placeholder"),  # the CLI's own
        ('{"iss":"supabase","role":"service_role"}', "literal"),  # a real project's
        ('{"iss":["supabase-demo"]}', "literal"),  # an issuer that is not text
        ('{"iss":"supabase-demo"', "literal"),  # cut short: not JSON
    ],
)
def test_published_jwts_are_no_secret(payload: str, state: str) -> None:
    token = _jwt(payload)
    assert secrets.value_state(token) == state
    assert (secrets.detect(token) is None) == (state == "placeholder")


@pytest.mark.parametrize(
    ("payload", "provider"),
    [
        ('{"iss":"supabase","role":"service_role"}', "supabase"),  # a Supabase project's key
        ('{"iss":"https://auth.example.com","sub":"svc"}', None),  # anyone else's
        ('{"sub":"svc"}', None),  # no issuer
    ],
)
def test_a_jwt_names_the_provider_that_issued_it(payload: str, provider: str | None) -> None:
    match = secrets.detect(_jwt(payload))
    assert match == secrets.Match("jwt", provider)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("HA_AGENT_KEY", "Qm7xT2vL9pR4wZ8nK3cF6hJ1sD5gB0aYeUiOtWqE", True),
        ("agentKey", "Qm7xT2vL9pR4wZ8nK3cF6hJ1sD5gB0aYeUiOtWqE", True),
        ("HA_SORT_KEY", "friendly_name", False),  # a word, not a secret
        ("S3_KEY", "uploads/2024/Qm7xT2vL9pR4wZ8nK3cF6.png", False),  # an object's path
        ("NEXT_PUBLIC_MAP_KEY", "Qm7xT2vL9pR4wZ8nK3cF6hJ1sD5gB0aYeUiOtWqE", False),  # public
        ("KEYBOARD", "Qm7xT2vL9pR4wZ8nK3cF6hJ1sD5gB0aYeUiOtWqE", False),  # not the word `key`
        ("MONKEY", "Qm7xT2vL9pR4wZ8nK3cF6hJ1sD5gB0aYeUiOtWqE", False),
    ],
)
def test_a_random_value_under_a_key_name_is_a_secret(name: str, value: str, expected: bool) -> None:
    assert secrets.keyed_secret(name, value) is expected
