"""No output ever contains a credential's value: every format, every scanner, every error path.

Realistic fake secrets (one per detector and per file kind, plus secrets inside malformed files
and a hostile CODEOWNERS) are planted in a real repository; then every reporter runs, through
the CLI as a user would, to stdout and through --write; `nhi explain` runs too. No planted value,
nor any 8-character piece of one, may appear in stdout, stderr or any written file. New formats
in REPORTERS are picked up automatically.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.reporters import REPORTERS

SECRETS = {
    "aws_key": "AKIAQ7XW2LMZPK4RT3VZ",
    "aws_secret": "Wq8Lm2Xr7Tz4Pk9Nv3Bc6Yd1Hf5Jg0Sa8Ex2Qu",
    "github": "ghp_Y6tR3wQ9zX2cV5bN8mL1kJ4hG7fD0sA3pO6iU",
    "github_pat": "github_pat_11QWERTY0qLwNdTzHvBmK_ZyXwVuTsRqPoNmLkJiHgFeDcBa987654",
    "gitlab": "glpat-Hq4Zw8Xc2Vb6Nm9Lk3Jp",
    "slack": "xoxp-7463529180-MnBvCxZlKjHgFd",
    "openai": "sk-proj-Lk9Jh8Gf7Ds6Ap5Oi4Uy3Tr2Ew1Qz0Xm",
    "anthropic": "sk-ant-api03-Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es3Wa",
    "google": "AIzaSyQ3wE5rT7yU9iO1pA3sD5fG7hJ9kL1zX3c",
    "stripe": "sk_live_51Qa2Ws3Ed4Rf5Tg6Yh7Uj",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.Qw3Er5Ty7Ui9Op1As3Df",
    "pem_body": "MIIEpAIBAAKCAQEAzX9Lq3Wv7Rt2Yp5U3iQOpMN0PZLqy1WwMZaMKA3P744B8vkK",
    "dsn_password": "Dsn-Pw-8Qz3Xk7Lm",
    "supabase": "sbp_4d7e1a9c3f6b2e8d5a0c7f4b1e9d3a6c8f2b5e7d",
    "npm": "npm_Rt5Yu7Io9Pa1Sd3Fg5Hj7Kl9Zx1Cv3Bn5Mq7",
    "huggingface": "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",
    "sendgrid": "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",
    "entropy_env": "Tz6Rw1Qx8Lp3Vm7Kc2Nb5Hy9Jd",
    "pypi": "pypi-AgEIcHlwaS5vcmcQm7Xr2Lp9Vn4Tz8Wc1Yb6Hd3Jf5Kg0Sa7Ex2Qu9Io4Pa6Sd1Fg3Hj",
    "databricks": "dapi7c1e9a3f5b2d8e4a6c0f9b1d3e5a7c2f",
    "digitalocean": "dop_v1_3a9f1c7e5b2d8a4c6e0f9b1d3a5c7e2f4b6d8a0c1e3f5a7b9d2c4e6f8a1b3c5d",
    "twilio": "SK4f2a9c7e1b5d3f8a0c6e2b9d4f7a1c3e",
    "shopify": "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",
    "linear": "lin_api_Wq7Er2Ty9Ui4Op1As6Df3Gh8Jk5Lz0Xc2Vb7Nm4Q",
    # Webhook URLs: the secret is the path after the service's public prefix.
    "slack_webhook": "T7QX2LM4P/B9RZ3KN5W/Hq4Wm8Xp2Zr6Lt0Vk3Nc7Bd",
    "discord_webhook": "948271635501827364/Zr5Lt9Vk2Nc6Bd0Js4Hq8Wm1Xp3Qy7Ue5Io9Pa2Sd6Fg0Hj4Kl8",
    "workflow_webhook": "T3KD9WQ2X/B6PL4ZN8R/Vn2Bc7Xz5Lk9Jh3Gf1Ds6Aq",
    "mcp_env": "ghp_M3nB6vC9xZ2lK5jH8gF1dS4aP7oI0uY3tR6e",
    "mcp_header": "sk-proj-Aq1Sw2De3Fr4Gt5Hy6Ju7Ki8Lo9Pz0Xm",
    "mcp_flag": "Zq5Xw8Ec1Rv4Tb7Yn0Um3Ik6Ol",
    "mcp_url": "Hq2Wm6Xp9Zr3Lt7Vk1Nc4Bd8Js",
    "mcp_docker": "xoxb-5019283746-LkJhGfDsAzXc",
    "mcp_codex": "glpat-Zx9Cv8Bn7Mq6Lw5Kp4Jr",
    "workflow_env": "AKIAP3LMKXZ2QW7RT5VN",
    "workflow_with": "ghp_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8",
    "workflow_service": "Svc-Pw-2Lq8Xz5Mk",
    "tf_plaintext": "npm_Zm4Xn7Bc1Vq8Lw2Kp5Jr9Ht3Gy6Fd0Sa4Ew8",
    "tfvars_token": "ghp_Vb4Nm7Qw1Er5Ty8Ui2Op6As9Df3Gh0Jk4Lz1X",
    "tfvars_password": "Xk7Qp2Lz9Vw4Nc8Rt3Bm6Hy1Jd",
    "tf_secret_string": "Tf-Sec-9Rk2Wq5Lz8Xm",
    "tf_k8s_data": "K8s-Dat-4Wq7Zx2Lm9Pv",
    "bad_hcl": "ghp_B4dHcL5eCr3tV4lU3iN7aM8lF0rM3dF1lE9x",
    "bad_json": "sk-proj-BadJson7Xw3Lq9Zr2Vm5Kt8Np1Hc",
    "bad_yaml": "ghp_B4dYaMl7Xw3Lq9Zr2Vm5Kt8Np1Hc4Jd6Fg0",
    "bad_toml": "glpat-BadToml8Qx2Lz6Wm9R",
    "bad_env": "Unterminated-Secret-5Xq9Lm",
    "codeowners": "ghp_C0d30wn3rs5Xq9Lm2Vt7Rk4Wz8Np1Hc6Jd3",
    # More error paths (#12): each parser's own message tends to quote the offending text.
    "bad_tf_json": "sk-proj-BadTfJson4Kq8Zw2Xm6Lp9Rv3",
    "bad_yaml_flow": "ghp_Fl0wYaMl2Kq8Zw6Xm4Lp9Rv3Tn7Bc1Hd5Jf8",
    "bad_utf8": "glpat-NotUtf8Zq4Wx7Lm2K",
    "deep_json": "xoxb-8123456789-DeepJsonNest",
    "bad_env_line": "sk_live_51BadEnvLine8Qz3Xk7Lm",
    "bad_toml_key": "ghp_T0mlK3y8Qz3Xk7Lm2Vt7Rk4Wz8Np1Hc6Jd3x",
    # Values where a name, a reference or a URL belongs (#16): each used to become a module
    # source, a package, an identity's name or a `ref`, and so reached every output.
    "tf_module_password": "Tfm-Pw-6Kq2Zx9Lm4Wv8",
    "tf_module_user": "glpat-TfModUser7Xq2Lz9Wk4R",
    "mcp_npx_user": "ghp_NpxG1tUs3r8Qz3Xk7Lm2Vt7Rk4Wz8Np1Hc6J",
    "mcp_uvx_password": "Uvx-Pw-3Rt8Kq5Zm2Xw",
    "codex_bearer_var": "sk-proj-CodexVar5Kq8Zw2Xm6Lp9Rv3Tn",
    "codex_header_var": "xoxb-6019283746-CodexHeaderV",
    "vault_url_password": "Vlt-Pw-9Xq4Lm7Zk2Rw",
    "vault_role": "ghp_V4ultR0le8Qz3Xk7Lm2Vt7Rk4Wz8Np1Hc6Jd",
    "env_key": "ghp_EnvK3yAsN4me8Qz3Xk7Lm2Vt7Rk4Wz8Np1Hc",
    "env_url_user": "glpat-EnvUrlUser5Kq8Zw3Lm7",
    "tf_label": "ghp_TfL4b3lN4me8Qz3Xk7Lm2Vt7Rk4Wz8Np1Hc6J",
    "mcp_server_name": "ghp_McpS3rv3rN4me8Qz3Xk7Lm2Vt7Rk4Wz8Np1H",
    "workflow_environment": "ghp_W0rkfl0wEnv8Qz3Xk7Lm2Vt7Rk4Wz8Np1Hc6",
    "workflow_dynamic": "ghp_Dyn4m1cExpr8Qz3Xk7Lm2Vt7Rk4Wz8Np1Hc6",
}
SLACK = "https://hooks.slack.com/services/"


def plant(root: Path) -> None:
    s = SECRETS
    files = {
        ".env": (
            f"AWS_ACCESS_KEY_ID={s['aws_key']}\nAWS_SECRET_ACCESS_KEY={s['aws_secret']}\n"
            f"GITHUB_TOKEN={s['github']}\nGH_PAT={s['github_pat']}\nGITLAB_TOKEN={s['gitlab']}\n"
            f"SLACK_TOKEN={s['slack']}\nOPENAI_API_KEY={s['openai']}\n"
            f"ANTHROPIC_API_KEY={s['anthropic']}\nGOOGLE_API_KEY={s['google']}\n"
            f"STRIPE_KEY={s['stripe']}\nSESSION_JWT={s['jwt']}\n"
            f'TLS_PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\n{s["pem_body"]}\n'
            '-----END RSA PRIVATE KEY-----"\n'
            f"DATABASE_URL=postgres://app:{s['dsn_password']}@db:5432/app\n"
            f"SUPABASE_TOKEN={s['supabase']}\nNPM_TOKEN={s['npm']}\nHF_TOKEN={s['huggingface']}\n"
            f"SENDGRID_API_KEY={s['sendgrid']}\nCLIENT_SECRET={s['entropy_env']}\n"
            f"PYPI_TOKEN={s['pypi']}\nDATABRICKS_TOKEN={s['databricks']}\n"
            f"DIGITALOCEAN_TOKEN={s['digitalocean']}\nTWILIO_API_KEY={s['twilio']}\n"
            f"SHOPIFY_TOKEN={s['shopify']}\nLINEAR_API_KEY={s['linear']}\n"
            f"SLACK_WEBHOOK_URL={SLACK}{s['slack_webhook']}\n"
            f"ALERTS_HOOK=https://discord.com/api/webhooks/{s['discord_webhook']}\n"
        ),
        "broken.env": f'GOOD=1\nBROKEN_SECRET="{s["bad_env"]}\n',
        ".mcp.json": json.dumps(
            {
                "mcpServers": {
                    "github": {
                        "command": "npx",
                        "args": ["-y", "srv", "--api-key", s["mcp_flag"]],
                        "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": s["mcp_env"]},
                    },
                    "remote": {
                        "url": f"https://x.example.com/mcp?apiKey={s['mcp_url']}",
                        "headers": {"Authorization": f"Bearer {s['mcp_header']}"},
                    },
                    "slack": {
                        "command": "docker",
                        "args": ["run", "-e", f"SLACK_BOT_TOKEN={s['mcp_docker']}", "mcp/slack"],
                    },
                }
            },
            indent=2,
        ),
        ".codex/config.toml": (
            f'[mcp_servers.gl]\ncommand = "npx"\nenv = {{ GITLAB_TOKEN = "{s["mcp_codex"]}" }}\n'
        ),
        "broken/.codex/config.toml": f'[mcp_servers.x]\ntoken = "{s["bad_toml"]}\n',
        ".cursor/mcp.json": '{"mcpServers": {"x": {"env": {"T": "' + s["bad_json"] + '" "oops"}}}}',
        ".github/workflows/ci.yml": (
            f"on: push\nenv:\n  AWS_ACCESS_KEY_ID: {s['workflow_env']}\n"
            f"  SLACK_WEBHOOK_URL: {SLACK}{s['workflow_webhook']}\njobs:\n  test:\n"
            f"    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres\n"
            f"        env:\n          POSTGRES_PASSWORD: {s['workflow_service']}\n"
            f"    steps:\n      - uses: some/action@v1\n        with:\n"
            f"          token: {s['workflow_with']}\n"
        ),
        ".github/workflows/broken.yml": f"on: push\njobs:\n  x: [\n  token: {s['bad_yaml']}\n",
        "infra/secrets.tf": (
            'resource "github_actions_secret" "npm" {\n'
            f'  plaintext_value = "{s["tf_plaintext"]}"\n}}\n'
            f'resource "aws_secretsmanager_secret_version" "db" {{\n'
            f'  secret_string = "{s["tf_secret_string"]}"\n}}\n'
        ),
        "infra/lineage.tf": (
            'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n'
            'resource "aws_iam_access_key" "ci" {\n  user = aws_iam_user.ci.name\n}\n'
            'resource "kubernetes_secret" "ci" {\n  metadata {\n    name = "ci"\n  }\n'
            f'  data = {{\n    id = aws_iam_access_key.ci.id\n    extra = "{s["tf_k8s_data"]}"\n'
            "  }\n}\n"
        ),
        "infra/broken.tf": (
            f'resource "aws_iam_user" "x" {{\n  name = "{s["bad_hcl"]}" "extra"\n}}\n'
        ),
        ".github/CODEOWNERS": f"/infra/ @acme/platform {s['codeowners']}\n",
        "infra/broken.tf.json": (
            '{"resource": {"aws_iam_user": {"x": {"name": "' + s["bad_tf_json"] + '" 1}}}}'
        ),
        ".continue/mcpServers/broken.yaml": f"mcpServers:\n  x: {{env: {{T: {s['bad_yaml_flow']}\n",
        ".vscode/mcp.json": '{"servers": '
        + '{"a": ' * 300
        + json.dumps(s["deep_json"])
        + "}" * 301,
        "lines.env": f"OK=1\n{s['bad_env_line']}\n",
        "broken2/.codex/config.toml": f"[mcp_servers.x]\n{s['bad_toml_key']} = = 1\n",
        "infra/modules.tf": (
            'module "vpc" {\n  source = "git::https://oauth2:'
            f'{s["tf_module_password"]}@gitlab.example.com/infra/vpc.git?ref=v1"\n}}\n'
            'module "iam" {\n'
            f'  source = "git::https://{s["tf_module_user"]}@gitlab.example.com/infra/iam.git"\n}}\n'
        ),
        ".kiro/settings/mcp.json": json.dumps(
            {
                "mcpServers": {
                    "npx": {
                        "command": "npx",
                        "args": ["-y", f"git+https://{s['mcp_npx_user']}@github.com/acme/srv.git"],
                    },
                }
            }
        ),
        ".amazonq/mcp.json": json.dumps(
            {
                "mcpServers": {
                    "uvx": {
                        "command": "uvx",
                        "args": [
                            "--from",
                            f"git+https://ci:{s['mcp_uvx_password']}@github.com/acme/tool@v1",
                            "tool",
                        ],
                    },
                }
            }
        ),
        "codex/.codex/config.toml": (
            f'[mcp_servers.api]\nurl = "https://api.example.com/mcp"\n'
            f'bearer_token_env_var = "{s["codex_bearer_var"]}"\n'
            f'[mcp_servers.api.env_http_headers]\n"X-Api-Key" = "{s["codex_header_var"]}"\n'
        ),
        ".github/workflows/vault.yml": (
            "on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: hashicorp/vault-action@v3\n"
            f"        with:\n          method: jwt\n"
            f"          url: https://ci:{s['vault_url_password']}@vault.example.com\n"
            "      - uses: hashicorp/vault-action@v3\n"
            f"        with:\n          method: jwt\n          role: {s['vault_role']}\n"
        ),
        "infra/labels.tf": (
            f'resource "aws_iam_user" "{s["tf_label"]}" {{\n  name = "x"\n}}\n'
            'resource "aws_iam_access_key" "x" {\n'
            f"  user = aws_iam_user.{s['tf_label']}.name\n}}\n"
        ),
        ".windsurf/mcp.json": json.dumps(
            {"mcpServers": {s["mcp_server_name"]: {"command": "npx", "args": ["-y", "srv"]}}}
        ),
        ".github/workflows/odd.yml": (
            "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
            f"    environment: {s['workflow_environment']}\n    steps:\n"
            "      - run: echo \"${{ secrets[format('{0}', '"
            f"{s['workflow_dynamic']}')] }}}}\"\n"
        ),
        "infra/prod.tfvars": (
            f'github_token = "{s["tfvars_token"]}"\n'
            f'database = {{\n  password = "{s["tfvars_password"]}"\n}}\n'
        ),
        "names.env": (
            f"{s['env_key']}=1\nREGISTRY_URL=https://{s['env_url_user']}@npm.example.com\n"
        ),
    }
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (root / "latin.env").write_bytes(f"API_KEY={s['bad_utf8']}".encode() + b"\xff\n")


def leaks(text: str) -> list[tuple[str, str]]:
    return [
        (name, value[i : i + 8])
        for name, value in SECRETS.items()
        for i in range(len(value) - 7)
        if value[i : i + 8] in text
    ]


# The checkout under test, first on the child's path: run from another folder, `-m scanner`
# would otherwise import whichever copy is installed in the environment.
CHECKOUT = Path(__file__).resolve().parents[1]


def nhi(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": path},
    )


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    from tests.conftest import GitRepo

    root = tmp_path_factory.mktemp("leak") / "repo"
    root.mkdir()
    repo = GitRepo(root)
    repo.git("init", "-q", "-b", "main")
    plant(root)
    repo.commit("plant fake secrets")
    return root


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_no_format_prints_a_value(planted: Path, fmt: str, tmp_path: Path) -> None:
    written = tmp_path / f"report.{fmt}"
    result = nhi("scan", "--no-cache", "--format", fmt, "--write", f"{fmt}={written}", cwd=planted)
    assert result.returncode == 1  # the planted secrets are critical findings
    assert leaks(result.stdout) == []
    assert leaks(result.stderr) == []
    assert leaks(written.read_text()) == []


def test_every_planted_kind_was_found(planted: Path) -> None:
    report = json.loads(nhi("scan", "--no-cache", "--format", "json", cwd=planted).stdout)
    present = {
        (i["path"], i["name"]): i["attributes"]["detector"]
        for i in report["identities"]
        if i["attributes"].get("secret_present")
    }
    assert present == {
        (".codex/config.toml", "GITLAB_TOKEN"): "gitlab_token",
        (".env", "AWS_ACCESS_KEY_ID"): "aws_access_key_id",
        (".env", "AWS_SECRET_ACCESS_KEY"): "high_entropy",
        (".env", "GITHUB_TOKEN"): "github_token",
        (".env", "GH_PAT"): "github_fine_grained_pat",
        (".env", "GITLAB_TOKEN"): "gitlab_token",
        (".env", "SLACK_TOKEN"): "slack_token",
        (".env", "OPENAI_API_KEY"): "openai_api_key",
        (".env", "ANTHROPIC_API_KEY"): "anthropic_api_key",
        (".env", "GOOGLE_API_KEY"): "google_api_key",
        (".env", "STRIPE_KEY"): "stripe_secret_key",
        (".env", "SESSION_JWT"): "jwt",
        (".env", "TLS_PRIVATE_KEY"): "private_key",
        (".env", "DATABASE_URL"): "url_with_password",
        (".env", "SUPABASE_TOKEN"): "supabase_access_token",
        (".env", "NPM_TOKEN"): "npm_token",
        (".env", "HF_TOKEN"): "huggingface_token",
        (".env", "SENDGRID_API_KEY"): "sendgrid_api_key",
        (".env", "CLIENT_SECRET"): "high_entropy",
        (".env", "PYPI_TOKEN"): "pypi_token",
        (".env", "DATABRICKS_TOKEN"): "databricks_token",
        (".env", "DIGITALOCEAN_TOKEN"): "digitalocean_token",
        (".env", "TWILIO_API_KEY"): "twilio_api_key",
        (".env", "SHOPIFY_TOKEN"): "shopify_token",
        (".env", "LINEAR_API_KEY"): "linear_api_key",
        (".env", "SLACK_WEBHOOK_URL"): "slack_webhook_url",
        (".env", "ALERTS_HOOK"): "discord_webhook_url",
        (".github/workflows/ci.yml", "SLACK_WEBHOOK_URL"): "slack_webhook_url",
        (".github/workflows/ci.yml", "AWS_ACCESS_KEY_ID"): "aws_access_key_id",
        (".github/workflows/ci.yml", "POSTGRES_PASSWORD"): "high_entropy",
        (".github/workflows/ci.yml", "token"): "github_token",
        (".mcp.json", "--api-key"): "high_entropy",
        (".mcp.json", "GITHUB_PERSONAL_ACCESS_TOKEN"): "github_token",
        (".mcp.json", "apiKey"): "high_entropy",
        (".mcp.json", "Authorization"): "openai_api_key",
        (".mcp.json", "SLACK_BOT_TOKEN"): "slack_token",
        ("infra/secrets.tf", "npm"): "npm_token",
        ("infra/prod.tfvars", "github_token"): "github_token",
        ("infra/prod.tfvars", "database.password"): "high_entropy",
        ("infra/secrets.tf", "db"): "high_entropy",
        ("infra/modules.tf", "module.vpc.source"): "url_with_password",
        ("infra/modules.tf", "module.iam.source"): "gitlab_token",
        (".kiro/settings/mcp.json", "args[1]"): "github_token",
        (".amazonq/mcp.json", "args[1]"): "url_with_password",
        ("codex/.codex/config.toml", "bearer_token_env_var"): "openai_api_key",
        ("codex/.codex/config.toml", "X-Api-Key"): "slack_token",
        (".github/workflows/vault.yml", "url"): "url_with_password",
        (".github/workflows/vault.yml", "role"): "github_token",
        ("names.env", "line-1"): "github_token",
        ("names.env", "REGISTRY_URL"): "gitlab_token",
        (".github/workflows/odd.yml", "secrets[expression]"): "github_token",
    }
    assert {e["path"] for e in report["errors"]} == {
        ".continue/mcpServers/broken.yaml",
        ".vscode/mcp.json",
        "broken2/.codex/config.toml",
        "infra/broken.tf.json",
        "latin.env",
        "lines.env",
        ".cursor/mcp.json",
        ".github/CODEOWNERS",
        ".github/workflows/broken.yml",
        "broken.env",
        "broken/.codex/config.toml",
        "infra/broken.tf",
    }


def test_explain_and_baselines_print_no_value(planted: Path, tmp_path: Path) -> None:
    report = json.loads(nhi("scan", "--no-cache", "--format", "json", cwd=planted).stdout)
    for identity in report["identities"]:
        result = nhi("explain", identity["id"], cwd=planted)
        assert result.returncode == 0
        assert leaks(result.stdout + result.stderr) == [], identity["id"]
    baseline = tmp_path / "baseline"
    result = nhi("scan", "--no-cache", "--write-baseline", str(baseline), cwd=planted)
    assert leaks(result.stdout + result.stderr + baseline.read_text()) == []


@pytest.mark.parametrize("fmt", ["html", "json", "mermaid", "text"])
def test_lineage_prints_no_value(planted: Path, fmt: str) -> None:
    for query in (
        ["--person", "alice@example.com"],
        ["--identity", "infra/lineage.tf#aws_iam_access_key.ci"],
    ):
        result = nhi("lineage", *query, "--format", fmt, cwd=planted)
        assert result.returncode == 0, result.stderr
        assert "kubernetes_secret" in result.stdout or fmt == "mermaid"
        assert leaks(result.stdout) == []
        assert leaks(result.stderr) == []


def test_the_aggregator_inventory_and_cache_hold_no_value(planted: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    report = tmp_path / "reports/repo.json"
    report.parent.mkdir()
    scanned = nhi("scan", "--cache-dir", str(cache), "--format", "json", "--output", str(report),
                  cwd=planted)  # fmt: skip
    assert scanned.returncode == 1, scanned.stderr
    roster = tmp_path / "roster.csv"
    roster.write_text("email,status,manager,github_login,name,aliases\n"
                      "alice@example.com,departed,,alice,Alice,\n")  # fmt: skip
    db = tmp_path / "inventory.sqlite"
    for fmt in ("csv", "html", "json", "markdown", "text"):
        result = nhi("aggregate", str(report.parent), "--roster", str(roster), "--db", str(db),
                     "--format", fmt, cwd=tmp_path)  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert leaks(result.stdout + result.stderr) == [], fmt
    for fmt in ("csv", "json", "text"):
        result = nhi("inventory", "--db", str(db), "--format", fmt, cwd=tmp_path)
        assert leaks(result.stdout + result.stderr) == [], fmt
    # What is stored on disk: the inventory and the per-file cache (facts, never values).
    stored = [db, *cache.rglob("*")]
    assert [p for p in stored if p.is_file() and leaks(p.read_bytes().decode("latin-1"))] == []


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_aggregate_error_paths_print_no_value(planted: Path, tmp_path: Path, fmt: str) -> None:
    good = nhi("scan", "--no-cache", "--format", "json", cwd=planted).stdout
    (tmp_path / "good.json").write_text(good)
    bad = json.loads(good)
    bad["identities"][0]["line"] = SECRETS["github"]  # fails the schema: never quoted
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    (tmp_path / "version.json").write_text(json.dumps({"schema_version": SECRETS["openai"]}))
    (tmp_path / "roster.csv").write_text("email,status\nalice@example.com,active\n")
    result = nhi("aggregate", "good.json", "bad.json", "version.json", "--roster", "roster.csv",
                 "--format", fmt, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1  # no CODEOWNERS in the planted repository: all unowned
    assert ("bad.json" in result.stdout) == (fmt != "csv")  # the review sheet lists orphans only
    assert leaks(result.stdout + result.stderr) == []
    (tmp_path / "roster.json").write_text('[{"profile": {"email": "' + SECRETS["npm"] + '"')
    result = nhi("aggregate", "good.json", "--roster", "roster.json", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr == "nhi: error: roster.json: not valid JSON (line 1)\n"


def test_observed_exports_print_and_store_no_value(planted: Path, tmp_path: Path) -> None:
    """Exports carry no credential value by design, but a field we never read may (#26): an
    Entra secret's `secretText`/`hint`, a deploy key's `key`, a value pasted into a date."""
    report = tmp_path / "reports/repo.json"
    report.parent.mkdir()
    nhi("scan", "--no-cache", "--format", "json", "--output", str(report), cwd=planted)
    (tmp_path / "roster.csv").write_text("email,status\nalice@example.com,active\n")
    graph = {
        "value": [
            {
                "appId": "a",
                "displayName": "app",
                "passwordCredentials": [
                    {
                        "keyId": "k1",
                        "hint": SECRETS["aws_secret"][:3],
                        "secretText": SECRETS["aws_secret"],
                        "startDateTime": "2025-01-01T00:00:00Z",
                        "endDateTime": "2027-01-01T00:00:00Z",
                    }
                ],
            }
        ]
    }
    github = {
        "nhi_github_export": 1,
        "organization": "acme",
        "repositories": {
            "acme/x": {
                "keys": [
                    {"id": 1, "title": "mirror", "key": SECRETS["pem_body"], "read_only": True}
                ]
            }
        },
    }
    bad = ("user,arn,user_creation_time,access_key_1_active,access_key_1_last_rotated,"
           "access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,"
           "access_key_2_last_used_date\nci,arn:aws:iam::1:user/ci," + SECRETS["stripe"]
           + ",true,N/A,N/A,false,N/A,N/A\n")  # fmt: skip
    (tmp_path / "graph.json").write_text(json.dumps(graph))
    (tmp_path / "github.json").write_text(json.dumps(github))
    (tmp_path / "bad.csv").write_text(bad)
    db = tmp_path / "inventory.sqlite"
    for fmt in ("csv", "json", "markdown", "text"):
        result = nhi("aggregate", str(report.parent), "--roster", "roster.csv", "--db", str(db),
                     "--observed", "graph.json", "--observed", "github.json", "--observed",
                     "bad.csv", "--format", fmt, cwd=tmp_path)  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert "bad.csv" in result.stdout + result.stderr, fmt
        assert leaks(result.stdout + result.stderr) == [], fmt
    assert not leaks(db.read_bytes().decode("latin-1"))
