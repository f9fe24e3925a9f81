"""The README's inventory questions (#25) print what the README shows, on the demo
organisation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()


def nhi(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scanner", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_the_readme_questions_answer_as_shown(tmp_path: Path) -> None:
    section = README[README.index("### Asking the inventory") :]
    shown = re.findall(r"```\n\$ nhi (inventory [^\n]+)\n(.*?)```", section, re.DOTALL)
    assert len(shown) == 3
    assert nhi("demo", "--folder", "demo", cwd=tmp_path).returncode == 0
    folder = tmp_path / "demo"
    aggregate = nhi("aggregate", "reports", "--roster", "roster.csv", "--teams", "teams.json",
                    "--default-owner", "security@acme.example", "--as-of", "2026-11-01",
                    "--db", "inv.sqlite", cwd=folder)  # fmt: skip
    assert aggregate.returncode == 1  # orphans
    assert (
        "duplicate: @acme/payments-platform: you own two identical roles: etl_reader "
        "(us-east-1) and etl_reader_euw1 (eu-west-1) [NHI105]\n    differ in: name, region\n"
    ) in aggregate.stdout
    for command, output in shown:
        assert nhi(*command.split(), cwd=folder).stdout == output, command
