"""Generate a deterministic synthetic repository with real git history, for benchmarks.

    python bench/generate.py OUT [--tf-files 3000] [--identity-share 0.1] [--commits 2000] ...

The same parameters always give the same tree and the same history (a seeded RNG, pinned
dates). History is written with `git fast-import`, so 2,000 commits take seconds: each commit
touches a few files, some commits are by bots (a reformat), some rename a file.
"""

from __future__ import annotations

import argparse
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

AUTHORS = [f"Engineer {i} <engineer{i}@example.com>" for i in range(40)]
BOTS = ["renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>"]
IDENTITY_TYPES = [
    "aws_iam_user", "aws_iam_access_key", "aws_iam_role", "aws_iam_role_policy_attachment",
    "google_service_account", "google_service_account_key", "azuread_application_password",
    "github_actions_secret", "kubernetes_service_account_v1", "vault_approle_auth_backend_role",
]  # fmt: skip
PLAIN_TYPES = ["aws_s3_bucket", "aws_instance", "aws_security_group", "google_storage_bucket"]


@dataclass(frozen=True)
class Shape:
    tf_files: int = 3000
    resources_per_file: int = 8
    identity_share: float = 0.1  # share of .tf files that declare identities
    workflows: int = 20
    mcp_configs: int = 5
    env_files: int = 10
    commits: int = 2000
    bot_share: float = 0.05
    rename_share: float = 0.02
    seed: int = 7


def _resource(rng: random.Random, kind: str, index: int) -> str:
    body = [f'resource "{kind}" "r{index}" {{', f'  name = "r{index}-{rng.randrange(10**6)}"']
    if rng.random() < 0.3:
        body.append('  tags = {\n    env = "prod"\n  }')
    body.append("}\n")
    return "\n".join(body)


def tf_file(rng: random.Random, with_identities: bool, shape: Shape) -> str:
    parts = []
    for index in range(shape.resources_per_file):
        pool = IDENTITY_TYPES if with_identities and index % 2 == 0 else PLAIN_TYPES
        parts.append(_resource(rng, rng.choice(pool), index))
    return "\n".join(parts)


def workflow(rng: random.Random, index: int) -> str:
    return (
        f"name: ci{index}\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        f"      - run: deploy --token ${{{{ secrets.DEPLOY_TOKEN_{rng.randrange(50)} }}}}\n"
    )


def mcp_config(index: int) -> str:
    return (
        '{\n  "mcpServers": {\n    "github": {\n      "command": "npx",\n'
        '      "args": ["-y", "@modelcontextprotocol/server-github"],\n'
        f'      "env": {{"GITHUB_PERSONAL_ACCESS_TOKEN": "${{GH_TOKEN_{index}}}"}}\n'
        "    }\n  }\n}\n"
    )


def env_file(index: int) -> str:
    return f"PORT=8080\nDATABASE_URL=postgres://app@db/app\nSTRIPE_API_KEY=changeme{index}\n"


def initial_tree(shape: Shape, rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    identity_files = int(shape.tf_files * shape.identity_share)
    for index in range(shape.tf_files):
        folder = f"infra/stack{index // 50:03d}"
        files[f"{folder}/main{index:05d}.tf"] = tf_file(rng, index < identity_files, shape)
    for index in range(shape.workflows):
        files[f".github/workflows/ci{index:03d}.yml"] = workflow(rng, index)
    for index in range(shape.mcp_configs):
        files[f"tools/agent{index}/.mcp.json"] = mcp_config(index)
    for index in range(shape.env_files):
        files[f"services/svc{index}/.env.example"] = env_file(index)
    files["CODEOWNERS"] = "/infra/stack000/ @acme/platform\n/services/ @acme/apps\n"
    return files


def _blob(text: str) -> bytes:
    data = text.encode()
    return b"data %d\n%s\n" % (len(data), data)


def history(shape: Shape, files: dict[str, str], rng: random.Random) -> bytes:
    """A fast-import stream: the first commit adds everything, later ones edit a few files."""
    out: list[bytes] = []
    paths = sorted(files)
    time = 1_700_000_000
    for number in range(shape.commits):
        roll = rng.random()
        author = rng.choice(BOTS) if roll < shape.bot_share else rng.choice(AUTHORS)
        time += 3600
        out.append(b"commit refs/heads/main\n")
        out.append(f"author {author} {time} +0000\ncommitter {author} {time} +0000\n".encode())
        out.append(_blob(f"change {number}"))
        if number == 0:
            out.extend(b"M 100644 inline %s\n%s" % (p.encode(), _blob(files[p])) for p in paths)
            continue
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            if roll < shape.bot_share:  # a bot reformat: whitespace only
                files[path] = files[path].replace("  name", "    name", 1)
            elif roll < shape.bot_share + shape.rename_share and path.endswith(".tf"):
                new = path.replace(".tf", "_r.tf")
                if new not in files:
                    out.append(b"R %s %s\n" % (path.encode(), new.encode()))
                    files[new] = files.pop(path)
                    paths = sorted(files)
                    continue
            elif path.endswith(".tf"):  # keep the share of files with identities as asked
                pool = IDENTITY_TYPES if any(t in files[path] for t in IDENTITY_TYPES) else []
                files[path] += _resource(rng, rng.choice(pool + PLAIN_TYPES), number)
            out.append(b"M 100644 inline %s\n%s" % (path.encode(), _blob(files[path])))
    return b"".join(out)


def generate(target: Path, shape: Shape) -> None:
    rng = random.Random(shape.seed)
    target.mkdir(parents=True, exist_ok=False)
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    files = initial_tree(shape, rng)
    stream = history(shape, files, rng)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=target, input=stream, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=target, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    for name, value in Shape().__dict__.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    args = vars(parser.parse_args())
    target = args.pop("target")
    generate(target, Shape(**args))


if __name__ == "__main__":
    main()
