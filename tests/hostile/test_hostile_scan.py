"""The hostile corpus: repositories built to break a scanner, and what `nhi scan` must do.

Each case is a repository holding `ok.tf` (one IAM user) beside the hostile files, scanned
through the CLI as a user would. The expectation is always the same shape: the hostile file
becomes an `errors` entry with a clear reason, and the rest of the scan is intact (`ok.tf`'s
identity is there, the exit code is the usual one). Cases are built in code because several
(links, NUL bytes, names with newlines, 3 MB files) cannot live in this repository as files.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scanner.cli import main

OK = b'resource "aws_iam_user" "ok" {\n  name = "ok"\n}\n'
DEEP = 5000  # far past any recursion limit


@dataclass(frozen=True)
class Link:
    target: str  # relative to the repository, or absolute (then outside it)


@dataclass(frozen=True)
class Case:
    files: dict[str, bytes | Link]
    errors: list[tuple[str, int | None, str]]
    identities: list[tuple[str, int]] = field(default_factory=list)  # besides ok.tf's
    args: tuple[str, ...] = ()
    code: int = 0  # 1 when a planted token is a finding at --fail-on critical
    ok: bool = True  # whether ok.tf must still be found
    owners: dict[str, list[str]] = field(default_factory=dict)  # identity id -> its owners


def _bomb() -> bytes:
    """Billion laughs: nine levels of nine aliases, 9**9 values if expanded."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


TOKEN = b"ghp_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q"
SHAPE = "github_token-shaped value found by a linear pass (the file was not parsed)"


def _huge_hcl() -> bytes:
    """4.9 MB on one line: 300,000 map entries, about 2.4 million tokens for lark (before
    issue 16: 640 MB and past the 10 s limit), with a token among them."""
    items = b", ".join(b'"k%d" = "v"' % n for n in range(300_000))
    return b'resource "aws_iam_user" "big" { tags = { "t" = "' + TOKEN + b'", ' + items + b" } }\n"


def _users(count: int) -> bytes:
    return b"".join(b'resource "aws_iam_user" "u%d" {\n  name = "u"\n}\n' % n for n in range(count))


CASES = {
    "deep_hcl_expression": Case(
        {
            "deep.tf": b'resource "aws_iam_user" "d" {\n  x = '
            + b"[" * DEEP
            + b"]" * DEEP
            + b"\n}\n"
        },
        [("deep.tf", 1, "invalid HCL: nested too deeply")],
    ),
    "deep_hcl_blocks": Case(
        {"deep.tf": b'resource "aws_iam_user" "d" {\n' + b"a {\n" * DEEP + b"}\n" * (DEEP + 1)},
        [("deep.tf", 1, "invalid HCL: nested too deeply")],
    ),
    "deep_terraform_json": Case(
        {"deep.tf.json": b'{"resource": ' + b"[" * DEEP + b"]" * DEEP + b"}"},
        [("deep.tf.json", 1, "invalid JSON: nested deeper than 200 levels")],
    ),
    "deep_workflow_yaml": Case(
        {".github/workflows/deep.yml": b"jobs: " + b"[" * DEEP + b"]" * DEEP + b"\n"},
        [(".github/workflows/deep.yml", None, "invalid YAML: nested deeper than 200 levels")],
    ),
    "deep_mcp_json": Case(
        {".cursor/mcp.json": b'{"mcpServers": ' + b'{"a": ' * DEEP + b"1" + b"}" * (DEEP + 1)},
        [(".cursor/mcp.json", 1, "invalid JSON: nested deeper than 200 levels")],
    ),
    "deep_codex_toml": Case(
        {".codex/config.toml": b"x = " + b"[" * DEEP + b"]" * DEEP + b"\n"},
        [(".codex/config.toml", None, "invalid TOML: nested too deeply")],
    ),
    "yaml_alias_bomb": Case(
        {".github/workflows/bomb.yml": _bomb(), ".continue/mcpServers/bomb.yaml": _bomb()},
        [
            (
                ".continue/mcpServers/bomb.yaml",
                None,
                "invalid YAML: more than 100000 values (alias expansion?)",
            ),
            (
                ".github/workflows/bomb.yml",
                None,
                "invalid YAML: more than 100000 values (alias expansion?)",
            ),
        ],
    ),
    "over_the_size_limit": Case(
        {"big.tf": OK + b"#" * 2000},
        [("big.tf", None, "2047 bytes, over the 1000-byte limit; skipped")],
        args=("--max-file-size", "1000"),
    ),
    "binary_with_text_extension": Case(
        {"blob.tf": b'resource "aws_iam_user" "b" {}\n\x00\x01\x02', ".env": b"\x00TOKEN=x"},
        [
            (".env", None, "binary file (contains NUL bytes); skipped"),
            ("blob.tf", None, "binary file (contains NUL bytes); skipped"),
        ],
    ),
    "not_utf8": Case(
        {"latin.env": b"A=1\nAPI_KEY=caf\xe9\n", "utf16.tf": "x = 1\n".encode("utf-16-le")},
        [
            ("latin.env", 2, "not valid UTF-8 text (invalid byte at offset 15); skipped"),
            ("utf16.tf", None, "binary file (contains NUL bytes); skipped"),
        ],
    ),
    "mixed_line_endings": Case(
        {
            "mixed.env": b"A=1\r\nGITHUB_TOKEN=${X}\rOPENAI_API_KEY=${Y}\nSTRIPE_SECRET=${Z}\r\n",
            "crlf.tf": b'# x\r\nresource "aws_iam_user" "crlf" {\r\n  name = "c"\r\n}\r\n',
        },
        [],
        identities=[
            ("crlf.tf#aws_iam_user.crlf", 2),
            # A lone CR ends an assignment but not a line: git counts only LF (#20).
            ("mixed.env#GITHUB_TOKEN", 2),
            ("mixed.env#OPENAI_API_KEY", 2),
            ("mixed.env#STRIPE_SECRET", 3),
        ],
    ),
    "symlink_outside": Case(
        {"passwd.env": Link("/etc/passwd"), "infra/hosts.tf": Link("/etc/hosts")},
        [
            (
                "infra/hosts.tf",
                None,
                "symbolic link to a file outside the repository; not followed",
            ),
            ("passwd.env", None, "symbolic link to a file outside the repository; not followed"),
        ],
    ),
    "symlink_inside_is_read": Case(
        {"real/u.tf": b'resource "aws_iam_user" "u" {}\n', "alias.tf": Link("real/u.tf")},
        [],
        identities=[("alias.tf#aws_iam_user.u", 1), ("real/u.tf#aws_iam_user.u", 1)],
    ),
    "symlink_loop": Case(
        {"a.tf": Link("b.tf"), "b.tf": Link("a.tf"), "self.env": Link("self.env")},
        [
            ("a.tf", None, "symbolic link loop; not followed"),
            ("b.tf", None, "symbolic link loop; not followed"),
            ("self.env", None, "symbolic link loop; not followed"),
        ],
    ),
    "codeowners_over_3_mb": Case(
        {".github/CODEOWNERS": b"* @acme/platform\n" + b"# padding\n" * 320_000},
        [
            (
                ".github/CODEOWNERS",
                None,
                "3 MB or larger: GitHub ignores it, so nobody owns anything",
            )
        ],
    ),
    "codeowners_link_outside": Case(
        {"CODEOWNERS": Link("/etc/hostname")},
        [("CODEOWNERS", None, "symbolic link to a file outside the repository; not followed")],
    ),
    "waiver_file_link_outside": Case(
        {".nhi-waivers.yaml": Link("/etc/passwd")},
        [],
        code=3,  # a waiver file that cannot be used is a bad policy input: the scan stops
    ),
    # Bounded time (issue 16). Each input below took the old code past the per-file limit
    # (10 s, or the case's --file-timeout) or hung it; the finding beside it must be kept.
    "codeowners_backtracking_glob": Case(
        {
            "CODEOWNERS": b"*a" * 10 + b"*c.env @acme/x\n",
            "a" * 50 + ".env": b"GITHUB_TOKEN=${X}\n",  # minutes of backtracking
            "a" * 10 + "c.env": b"GITHUB_TOKEN=${X}\n",
        },
        [],
        identities=[("a" * 10 + "c.env#GITHUB_TOKEN", 1), ("a" * 50 + ".env#GITHUB_TOKEN", 1)],
        owners={"a" * 10 + "c.env#GITHUB_TOKEN": ["@acme/x"], "a" * 50 + ".env#GITHUB_TOKEN": []},
    ),
    "codeowners_matching_past_the_file_timeout": Case(
        {
            "CODEOWNERS": b"*a*a*a*b @acme/x\n" * 60_000,  # seconds per path, even linear
            "a" * 60 + ".env": b"GITHUB_TOKEN=${X}\n",
        },
        [
            (
                "CODEOWNERS",
                None,
                "owners not matched for 2 of 2 files: matching took longer than 1 s",
            )
        ],
        identities=[("a" * 60 + ".env#GITHUB_TOKEN", 1)],
        args=("--file-timeout", "1"),
        owners={"a" * 60 + ".env#GITHUB_TOKEN": [], "ok.tf#aws_iam_user.ok": []},
    ),
    "codeowners_backtracking_email": Case(
        {"CODEOWNERS": b"* a@" + b"." * 200_000 + b"@\n*.tf @acme/tf\n"},
        [("CODEOWNERS", 1, "owner 1 is not an @user, @org/team or email; line skipped")],
        owners={"ok.tf#aws_iam_user.ok": ["@acme/tf"]},
    ),
    "placeholder_decoy_beside_a_token": Case(
        {".env": b'DECOY_TOKEN="' + b"x" * 4096 + b'\ny"\nGITHUB_TOKEN=' + TOKEN + b"\n"},
        [],
        identities=[(".env#DECOY_TOKEN", 1), (".env#GITHUB_TOKEN", 3)],
        code=1,  # the token's finding
    ),
    "reference_braces_beside_a_token": Case(
        {".env": b"DB_PASSWORD=" + b"${" * 200_000 + b"\nGITHUB_TOKEN=" + TOKEN + b"\n"},
        [],
        identities=[(".env#DB_PASSWORD", 1), (".env#GITHUB_TOKEN", 2)],
        code=1,  # the token's finding
    ),
    "dotenv_unclosed_quote": Case(
        {".env": b"GITHUB_TOKEN=" + TOKEN + b'\nA="\n' + b"B=1\n" * 60_000},
        [(".env", 2, 'line 2 has a " quote that is never closed; the other lines were scanned')],
        identities=[(".env#GITHUB_TOKEN", 1)],
        code=1,  # the token's finding
    ),
    "dotenv_blank_run_before_a_value": Case(
        {".env": b"A=x" + b" " * 200_000 + b"y\nGITHUB_TOKEN=" + TOKEN + b"\n"},
        [],
        identities=[(".env#GITHUB_TOKEN", 2)],
        code=1,  # the token's finding
    ),
    "hcl_too_many_tokens": Case(  # the block is known by its header, its body is not read
        {"big.tf": _huge_hcl()},
        [
            (
                "big.tf",
                None,
                "not parsed: 1 block(s) of more than 200000 HCL tokens, the first at line 1",
            ),
            ("big.tf", 1, SHAPE),
        ],
        identities=[("big.tf#aws_iam_user.big", 1)],
    ),
    # A file of huge manifests costs those blocks only (hashicorp/terraform-provider-kubernetes
    # certmanager.tf: 1.8 MB of CRDs beside the service accounts and bindings it declares).
    "hcl_huge_block_beside_small_ones": Case(
        {
            "crds.tf": b'resource "aws_iam_user" "small" {\n  name = "s"\n}\n'
            + _huge_hcl()
            + b'resource "aws_iam_user" "after" {\n  name = "a"\n}\n'
        },
        [
            (
                "crds.tf",
                None,
                "not parsed: 1 block(s) of more than 200000 HCL tokens, the first at line 4",
            ),
            ("crds.tf", 4, SHAPE),
        ],
        identities=[
            ("crds.tf#aws_iam_user.after", 5),
            ("crds.tf#aws_iam_user.big", 4),
            ("crds.tf#aws_iam_user.small", 1),
        ],
    ),
    "timed_out_file_keeps_its_secret_shapes": Case(
        {
            "slow.tf": b'module "m" {\n  token = "'  # a block the scanner reads (#21)
            + TOKEN
            + b'"\n  x = '
            + b"[" * 90_000
            + b"]" * 90_000
            + b'\n  source = "./m"\n}\n'
        },
        [("slow.tf", None, "not scanned: parsing took longer than 0.5 s"), ("slow.tf", 2, SHAPE)],
        args=("--file-timeout", "0.5"),
    ),
}


def build(root: Path, files: dict[str, bytes | Link]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            os.symlink(content.target, path)
        else:
            path.write_bytes(content)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file(name: str, git_repo, tmp_path: Path) -> None:
    case = CASES[name]
    build(git_repo.root, {"ok.tf": OK, **case.files})
    git_repo.commit("hostile")
    out = tmp_path / "report.json"
    started = time.monotonic()
    code = main(["scan", "--repo", str(git_repo.root), "--format", "json", "--output", str(out),
                 "--fail-on", "critical", "--no-cache", *case.args])  # fmt: skip
    assert time.monotonic() - started < 30, "a hostile file must not stall the scan"
    assert code == case.code
    if case.code not in (0, 1):  # 1: findings, and the report is written
        assert not out.exists()
        return
    report = json.loads(out.read_text())
    assert [(e["path"], e["line"], e["message"]) for e in report["errors"]] == case.errors
    expected = sorted([*case.identities, *([("ok.tf#aws_iam_user.ok", 1)] if case.ok else [])])
    assert sorted((i["id"], i["line"]) for i in report["identities"]) == expected
    owners = {i["id"]: i["owners"] for i in report["identities"] if i["id"] in case.owners}
    assert owners == case.owners
