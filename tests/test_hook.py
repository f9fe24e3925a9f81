"""The pre-commit hook, run by the real `pre-commit` program against this checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from scanner.scanners import SCANNERS
from tests.conftest import GIT_ENV

ROOT = Path(__file__).parent.parent
HOOK = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
KEY = 'resource "aws_iam_access_key" "ci" {\n  user = "ci"\n}\n'


def _example(pattern: str) -> str:
    """A path a glob pattern matches (for checking the hook's `files` regex)."""
    return pattern.lstrip("/").replace("**/", "a/").replace("*", "x").replace("?", "y")


def test_hook_files_regex_covers_every_scanner() -> None:
    files = re.compile(HOOK["files"])
    examples = [_example(p) for module in SCANNERS.values() for p in module.PATTERNS]
    assert [e for e in examples if not files.search(e)] == []
    assert HOOK["entry"] == "nhi scan --diff-base HEAD" and HOOK["language"] == "python"
    assert HOOK["require_serial"] is True


@pytest.fixture(scope="module")
def pre_commit() -> str:
    found = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which(
        "pre-commit"
    )
    assert found, "pre-commit is a test dependency: pip install -e '.[test]'"
    return found


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory) -> Path:
    """This checkout as committed plus the working tree: pre-commit try-repo needs a repo."""
    source = tmp_path_factory.mktemp("hook-source")
    shutil.copytree(
        ROOT,
        source,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "bench"),
    )
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "hook"]):
        subprocess.run(["git", *args], cwd=source, env=env, check=True, capture_output=True)
    return source


def _hook(
    root: Path, pre_commit: str, hook_source: Path, tmp_path: Path
) -> Callable[[], subprocess.CompletedProcess[str]]:
    """Runs the real pre-commit on this checkout's hook, in `root`, as a commit would."""
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def run_hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(hook_source), "nhi-scan", "--verbose"],
            cwd=root, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    return run_hook


def test_real_pre_commit_blocks_an_unowned_key_and_codeowners_lets_it_through(
    git_repo, pre_commit: str, hook_source: Path, tmp_path: Path
) -> None:
    git_repo.write("README.md", "app\n")
    git_repo.commit("initial")
    git_repo.write("infra/iam.tf", KEY)
    git_repo.git("add", "infra/iam.tf")
    run_hook = _hook(git_repo.root, pre_commit, hook_source, tmp_path)

    blocked = run_hook()
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert (
        "infra/iam.tf:1: NHI001 [high] aws_iam_access_key ci has no accountable owner"
        in blocked.stdout
    )

    git_repo.write(".github/CODEOWNERS", "/infra/ @acme/platform\n")
    git_repo.git("add", ".github/CODEOWNERS")
    passed = run_hook()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "infra/iam.tf:1: aws_iam_access_key ci" in passed.stdout
    assert "NHI001" not in passed.stdout


def test_real_pre_commit_blocks_only_what_the_commit_adds(
    git_repo, pre_commit: str, hook_source: Path, tmp_path: Path
) -> None:
    run_hook = _hook(git_repo.root, pre_commit, hook_source, tmp_path)

    # The first commit has no HEAD to compare with: everything in it is new.
    git_repo.write("infra/iam.tf", KEY)
    git_repo.git("add", "-A")
    first = run_hook()
    assert first.returncode == 1, first.stdout + first.stderr
    git_repo.commit("an unowned key, committed without the hook")

    # A change beside the pre-existing key: listed as such, and the commit goes through.
    git_repo.write("infra/iam.tf", KEY + '\nresource "aws_iam_user" "ci" {\n  name = "ci"\n}\n')
    git_repo.git("add", "-A")
    beside = run_hook()
    assert beside.returncode == 1, beside.stdout + beside.stderr  # the new user is unowned
    assert "infra/iam.tf:5: NHI001 [high] aws_iam_user ci has no accountable owner" in beside.stdout
    # A blocked commit says how to go forward (#22).
    assert "      /infra/iam.tf @your-org/your-team" in beside.stdout
    assert "nhi policies show NHI001" in beside.stdout
    assert (
        "infra/iam.tf:1: NHI001 [high] aws_iam_access_key ci has no accountable owner: no "
        "CODEOWNERS rule covers infra/iam.tf and the declaration names no owner (pre-existing)"
    ) in beside.stdout
    git_repo.write("infra/iam.tf", KEY + "\n# rotated in March\n")
    git_repo.git("add", "-A")
    comment_only = run_hook()
    assert comment_only.returncode == 0, comment_only.stdout + comment_only.stderr
    assert "(pre-existing)" in comment_only.stdout
