"""The GitHub Action's scan step: inputs from the environment, one scan, outputs and a summary.

`action.yml` passes its inputs as `NHI_*` environment variables (never `${{ }}` inside a
script) and runs `python -m scanner.action`. This module is the Action's edge: it reads the
runner's `GITHUB_*` variables, runs `nhi scan` once with every output format it needs, appends
the job summary, writes the step outputs, and exits with the scan's exit code.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from scanner import git
from scanner.cli import main as nhi
from scanner.guard import guard_line
from scanner.reporters.github import escape_data

SHALLOW = (
    "::warning title=nhi-scanner: shallow checkout::This checkout is shallow, so nobody can be "
    "named as the provisioner of an identity and diff mode is off. Check out with "
    "`fetch-depth: 0` (actions/checkout)."
)


def arguments(env: Mapping[str, str], summary: Path, diff_base: str | None) -> list[str]:
    """The `nhi scan` command line for these inputs."""
    argv = [
        "scan", "--repo", env.get("NHI_PATH") or ".", "--format", "github",
        "--fail-on", env.get("NHI_FAIL_ON") or "high",
        "--write", f"sarif={env.get('NHI_SARIF_FILE') or 'nhi.sarif'}",
        "--write", f"json={env.get('NHI_JSON_FILE') or 'nhi.json'}",
        "--write", f"markdown={summary}",
    ]  # fmt: skip
    for policy in (env.get("NHI_POLICIES") or "").split():
        argv += ["--policies", policy]
    if env.get("NHI_BASELINE"):
        argv += ["--baseline", env["NHI_BASELINE"]]
    if diff_base:
        argv += ["--diff-base", diff_base]
    return argv


def diff_base(env: Mapping[str, str], root: Path, shallow: bool) -> str | None:
    """The input, else the pull request's base branch; None when git cannot use it."""
    wanted = env.get("NHI_DIFF_BASE") or (
        f"origin/{env['GITHUB_BASE_REF']}" if env.get("GITHUB_BASE_REF") else ""
    )
    if not wanted or shallow:
        return None
    if git.run(root, "rev-parse", "--verify", "--quiet", f"{wanted}^{{commit}}", check=False):
        return wanted
    # Our own command; the input is data, and the guard keeps `##[` in it inert.
    print(guard_line(f"::warning title=nhi-scanner::diff base {escape_data(wanted)} not found; "
                     "scanning without diff mode", commands=True))  # fmt: skip
    return None


def run(env: Mapping[str, str]) -> int:
    root = Path(env.get("NHI_PATH") or ".")
    in_git = git.toplevel(root) is not None
    shallow = in_git and git.is_shallow(root)
    if shallow:
        print(SHALLOW)
    base = diff_base(env, root, shallow) if in_git else None
    with tempfile.TemporaryDirectory() as folder:
        summary = Path(folder) / "summary.md"
        code = nhi(arguments(env, summary, base))
        if summary.exists() and env.get("GITHUB_STEP_SUMMARY"):
            with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as target:
                target.write(summary.read_text(encoding="utf-8"))
    json_file = Path(env.get("NHI_JSON_FILE") or "nhi.json")
    findings = 0
    if json_file.exists():
        report = json.loads(json_file.read_text(encoding="utf-8"))
        findings = sum(1 for f in report["findings"] if f["status"] == "open")
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as outputs:
            outputs.write(f"sarif-file={env.get('NHI_SARIF_FILE') or 'nhi.sarif'}\n")
            outputs.write(f"json-file={json_file}\n")
            outputs.write(f"findings={findings}\n")
    return code


if __name__ == "__main__":  # pragma: no cover - run by action.yml; tests call run()
    sys.exit(run(os.environ))
