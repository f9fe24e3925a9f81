"""The README is the front door: its commands must be the ones CI runs and must work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def _commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _commands()[1]
    assert test_command in (ROOT / ".ci/run").read_text().splitlines()


def test_readme_demo_output_is_what_the_demo_prints(tmp_path) -> None:
    shown = re.search(r"The demo prints:\n\n```\n(.+?)```", README, re.DOTALL)
    assert shown is not None
    folder = tmp_path / "nhi-demo"
    result = subprocess.run(
        [sys.executable, "-m", "scanner", "demo", "--folder", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.replace(str(folder), "/tmp/nhi-demo-XXXXXXXX") == shown[1]


def test_readme_lists_every_builtin_policy() -> None:
    from scanner.policy import builtin

    rows = [
        f"| `{p.id}` | {p.severity.label} | {p.scope} | {p.owasp} | {p.title} |" for p in builtin()
    ]
    table = README[README.index("| id | severity | scope | OWASP | title |") :].splitlines()
    assert table[2 : 2 + len(rows)] == rows


def test_readme_lists_every_output_format() -> None:
    from scanner.reporters import REPORTERS

    section = README[README.index("### Output formats") : README.index("## Command line")]
    assert set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)) == set(REPORTERS)


def test_readme_lineage_example_is_what_nhi_lineage_prints(tmp_path) -> None:
    shown = re.search(r"For example, in the demo organisation.*?```\n(.+?)```", README, re.DOTALL)
    assert shown is not None
    folder = tmp_path / "org"
    subprocess.run([sys.executable, "-m", "scanner", "demo", "--folder", str(folder)],
                   cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "scanner", "lineage", "--repo", str(folder / "payments-infra"),
         "--repo", str(folder / "data-pipeline"), "--person", "bob@acme.example"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout == shown[1]
