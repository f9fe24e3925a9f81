"""The GitHub Action's scan step: inputs from the environment, one scan, outputs and a summary.

`action.yml` passes its inputs as `NHI_*` environment variables (never `${{ }}` inside a
script) and runs `python -m scanner.action`. This module is the Action's edge: it reads the
runner's `GITHUB_*` variables, runs `nhi scan` once with every output format it needs, appends
the job summary, writes the step outputs, and exits with the scan's exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from scanner import __version__, git, remote, shallow
from scanner.cli import main as nhi
from scanner.cli.common import cache_home
from scanner.errors import ScannerError
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
    for option, variable in (("--policies", "NHI_POLICIES"), ("--roster", "NHI_ROSTER")):
        for line in (env.get(variable) or "").splitlines():  # one path a line; spaces kept
            if line.strip():
                argv += [option, line.strip()]
    if env.get("NHI_TEAMS"):
        argv += ["--teams", env["NHI_TEAMS"]]
    if env.get("NHI_BASELINE"):
        argv += ["--baseline", env["NHI_BASELINE"]]
    if diff_base:
        argv += ["--diff-base", diff_base]
    return argv


ZERO = "0" * 40


def event(env: Mapping[str, str]) -> dict[str, object]:
    """The webhook payload of the event that started the run (GITHUB_EVENT_PATH), or {}."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _field(payload: Mapping[str, object], *keys: str) -> str:
    value: object = payload
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else ""


def wanted_base(env: Mapping[str, str]) -> tuple[str, str]:
    """The ref the change under test is compared with, and why (empty: report only).

    pull_request: the base branch; merge_group: the queue's base commit; push: the commit
    before the push, or the default branch when the branch is new or was force-pushed;
    schedule, workflow_dispatch and the rest: no diff, every finding is reported as it is.
    """
    if env.get("NHI_DIFF_BASE"):
        return env["NHI_DIFF_BASE"], "the diff-base input"
    name, payload = env.get("GITHUB_EVENT_NAME", ""), event(env)
    if name.startswith("pull_request") and env.get("GITHUB_BASE_REF"):
        return f"origin/{env['GITHUB_BASE_REF']}", "the pull request's base branch"
    if name == "merge_group" and (sha := _field(payload, "merge_group", "base_sha")):
        return sha, "the merge queue's base commit"
    if name == "push":
        before = _field(payload, "before")
        if before and before != ZERO and not payload.get("forced"):
            return before, "the commit before the push"
        default = _field(payload, "repository", "default_branch")
        if default and f"refs/heads/{default}" != env.get("GITHUB_REF"):
            return f"origin/{default}", "the default branch (a new or force-pushed branch)"
    return "", ""


def diff_base(env: Mapping[str, str], root: Path, blind: bool) -> str | None:
    """The diff base for this event; None (report only) when there is none or git lacks it."""
    wanted, why = wanted_base(env)
    if not wanted or blind:
        return None
    if git.run(root, "rev-parse", "--verify", "--quiet", f"{wanted}^{{commit}}", check=False):
        print(guard_line(f"nhi-scanner: diff base {wanted} ({why})"), file=sys.stderr)
        return wanted
    # Our own command; the input is data, and the guard keeps `##[` in it inert.
    print(guard_line(f"::warning title=nhi-scanner::diff base {escape_data(wanted)} not found; "
                     "scanning without diff mode", commands=True))  # fmt: skip
    return None


DEEPEN_SECONDS = 120.0


def deepen(env: Mapping[str, str], root: Path) -> bool:
    """Fetch as much of a shallow checkout's history as its identities' files need, within a
    time budget; whether the clone is now whole or every identity file attributable.

    Blame needs the commits that introduced each declaration; on a shallow clone git names the
    boundary commit's author for every older line. The checkout's own `origin` is asked (the
    Action's own token from actions/checkout); `deepen: false` turns this off.
    """
    if (env.get("NHI_DEEPEN") or "true") == "false":
        return False
    seconds = float(env.get("NHI_DEEPEN_SECONDS") or DEEPEN_SECONDS)
    top = git.toplevel(root) or root
    files = identity_files(root)
    done = shallow.deepen(top, files, seconds, remote.deepen)
    if done.fetched == 0 and done.problem is not None:
        print(guard_line(f"nhi-scanner: could not fetch more history ({done.problem})"),
              file=sys.stderr)  # fmt: skip
        return False
    print(guard_line(f"nhi-scanner: {done.describe()}"), file=sys.stderr)
    return done.whole or not done.missing


def identity_files(root: Path) -> set[str]:
    """The repository-relative files that declare identities: a scan without blame, whose
    per-file results the real scan then reads from the cache. When it cannot run, the whole
    history is wanted (a path no commit adds)."""
    from scanner.pipeline import Options, scan

    try:
        report = scan(root, options=Options(attribution=False, use_waivers=False,
                                            cache_dir=cache_home()))  # fmt: skip
    except ScannerError as error:
        print(guard_line(f"nhi-scanner: fetching the whole history: {error}"), file=sys.stderr)
        return {"."}
    return {subject.identity.path for subject in report.subjects}


def graph(root: Path) -> None:
    """Give the runner's own clone git's commit-graph with changed-path Bloom filters before
    blaming (#21): a fresh checkout has none, and blame then reads every commit's tree."""
    started, problem = time.monotonic(), None
    try:
        git.run(root, "commit-graph", "write", "--reachable", "--changed-paths", timeout=60.0)
    except subprocess.TimeoutExpired:
        problem = "it took longer than 60 s"
    except git.GitError as error:
        problem = str(error)
    took = time.monotonic() - started
    message = (f"nhi-scanner: wrote git's commit-graph with changed paths in {took:.1f} s"
               if problem is None else
               f"nhi-scanner: no commit-graph ({problem}); blame reads more history")  # fmt: skip
    print(guard_line(message), file=sys.stderr)
    # A fresh checkout's index holds racily-clean entries that every `git status` (a scan never
    # writes to the repository) hashes again: refresh them once, in this clone that is ours.
    git.run(root, "update-index", "-q", "--refresh", check=False)


def pinned(env: Mapping[str, str]) -> str | None:
    """Why this commit is not the release the `version` input names, or None."""
    wanted = (env.get("NHI_VERSION") or "").strip()
    if not wanted or wanted.removeprefix("v") == __version__:
        return None
    return (f"::error title=nhi-scanner: version::this action's commit is nhi-scanner "
            f"{__version__}, not {escape_data(wanted)} as the version input says; pin the commit "
            "of the release you want (docs/releases.md lists each release's commit)")  # fmt: skip


def run(env: Mapping[str, str]) -> int:
    if (mismatch := pinned(env)) is not None:
        print(guard_line(mismatch, commands=True))
        return 2
    root = Path(env.get("NHI_PATH") or ".")
    in_git = git.toplevel(root) is not None
    # Blind: a shallow checkout whose identities' history could not be fetched.
    blind = in_git and git.is_shallow(root) and not deepen(env, root)
    if blind:
        print(SHALLOW)
    elif in_git and not git.is_shallow(root):  # git writes no commit-graph in a shallow clone
        graph(root)
    base = diff_base(env, root, blind) if in_git else None
    with tempfile.TemporaryDirectory() as folder:
        summary = Path(folder) / "summary.md"
        code = nhi(arguments(env, summary, base))
        if summary.exists() and env.get("GITHUB_STEP_SUMMARY"):
            with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as target:
                target.write(summary.read_text(encoding="utf-8"))
    json_file = Path(env.get("NHI_JSON_FILE") or "nhi.json")
    if env.get("GITHUB_OUTPUT") and code in (0, 1):  # a failed run leaves no stale outputs
        report = json.loads(json_file.read_text(encoding="utf-8"))
        findings = sum(1 for f in report["findings"] if f["status"] == "open")
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as outputs:
            outputs.write(f"sarif-file={env.get('NHI_SARIF_FILE') or 'nhi.sarif'}\n")
            outputs.write(f"json-file={json_file}\n")
            outputs.write(f"version={__version__}\n")
            outputs.write(f"findings={findings}\n")
    return code


if __name__ == "__main__":  # pragma: no cover - run by action.yml; tests call run()
    sys.exit(run(os.environ))
