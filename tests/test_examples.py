"""The example workflows call `nhi` with options that exist: every command line in them is
parsed by the real CLI (its options checked, nothing run), so a renamed option fails here."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import click
import pytest
import yaml

from scanner.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples/workflows").glob("*.yml"))
# Values for the shell variables the examples use.
VARIABLES = {"ORG": "acme", "NHI_SHARDS": "8", "SHARD": "0", "GITHUB_STEP_SUMMARY": "summary.md"}


def nhi_commands(workflow: Path) -> list[list[str]]:
    """Each `.../nhi SUBCOMMAND ...` line of the workflow's run scripts, as arguments."""
    found = []
    for job in yaml.safe_load(workflow.read_text())["jobs"].values():
        for step in job.get("steps", []):
            script = step.get("run", "").replace("\\\n", " ")
            for line in script.splitlines():
                match = re.search(r'(?:^|[\s"(])(?:\S*/)?nhi"? (?P<args>[a-z].*)', line)
                if match is None:
                    continue
                words = shlex.split(match["args"].split(" || ")[0].split(')"')[0])
                found.append([re.sub(r"^\$(\w+)$", lambda m: VARIABLES[m[1]], w) for w in words])
    return found


def test_the_organisation_example_plans_collects_and_aggregates() -> None:
    assert nhi_commands(ROOT / "examples/workflows/nhi-organisation.yml") == [
        ["aggregate", "--github-org", "acme", "--list-repos", "--shards", "8"],
        ["aggregate", "--github-org", "acme", "--shards", "8", "--shard", "0", "--clone-missing",
         "--jobs", "4", "--collect-only", "--reports-dir", "reports"],
        ["aggregate", "reports", "--github-org", "acme", "--no-collect", "--roster",
         "rosters/okta-users.json", "--db", "nhi-inventory.sqlite", "--open-issues", "--format",
         "markdown", "--output", "summary.md", "--write", "csv=access-review.csv"],
    ]  # fmt: skip


@pytest.mark.parametrize("workflow", EXAMPLES, ids=lambda p: p.name)
def test_every_nhi_command_in_the_examples_parses(
    workflow: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    (tmp_path / "rosters").mkdir()
    (tmp_path / "rosters/okta-users.json").write_text("[]")
    for args in nhi_commands(workflow):
        parent = click.Context(cli, info_name="nhi")
        name, command, rest = cli.resolve_command(parent, list(args))
        assert isinstance(command, click.Command), name
        command.make_context(name, rest, parent=parent)  # raises on an unknown or bad option


@pytest.mark.parametrize("workflow", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_least_privilege_and_never_run_untrusted_code(workflow: Path) -> None:
    document = yaml.safe_load(workflow.read_text())
    triggers = document[True]  # PyYAML reads the key `on` as True (YAML 1.1)
    assert "pull_request_target" not in triggers  # it runs with secrets on a fork's code
    assert document["permissions"] in ({}, {"contents": "read"})
    for name, job in document["jobs"].items():
        granted = job["permissions"]  # every job says what it needs
        writes = {scope for scope, level in granted.items() if level == "write"}
        assert writes <= {"security-events", "pull-requests"}, (name, writes)
    steps = [step for job in document["jobs"].values() for step in job.get("steps", [])]
    for step in steps:  # checkouts never leave a token in .git/config for later steps
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_a_fork_or_dependabot_pull_request_skips_only_the_sarif_upload() -> None:
    """Their token is read-only: code scanning refuses the SARIF, so the upload is skipped with
    a notice while the check itself still runs (#22)."""
    document = yaml.safe_load((ROOT / "examples/workflows/nhi-pull-request.yml").read_text())
    assert set(document[True]) == {"pull_request", "merge_group"}
    steps = document["jobs"]["nhi"]["steps"]
    scan = next(s for s in steps if s.get("id") == "nhi")
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    notice = next(s for s in steps if "notice" in s.get("run", ""))
    assert "if" not in scan
    assert upload["if"] == (
        "${{ !cancelled() && !github.event.pull_request.head.repo.fork && "
        "github.event.pull_request.user.login != 'dependabot[bot]' }}"
    )
    assert notice["if"] == (
        "${{ !cancelled() && (github.event.pull_request.head.repo.fork || "
        "github.event.pull_request.user.login == 'dependabot[bot]') }}"
    )
    assert document["jobs"]["nhi"]["permissions"]["actions"] == "read"


RELEASES = ROOT / "docs/releases.md"
PINNED = re.compile(
    r"nhi-scanner/nhi-scanner@(?P<sha>\S+) # v(?P<tag>\S+)"
    r"|NHI_REF: (?P<ref>\S+) # v(?P<ref_tag>[^:\s]+)"
    r"|rev: (?P<rev>\S+)  # frozen: v(?P<rev_tag>\S+)"
)


def released() -> dict[str, str]:
    """docs/releases.md's table: commit -> version."""
    rows = re.findall(r"^\| (\S+) \| v\1 \| `([0-9a-f]{40})` \| \d{4}-\d\d-\d\d \|$",
                      RELEASES.read_text(), re.MULTILINE)  # fmt: skip
    return {sha: version for version, sha in rows}


def git_out(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def test_every_pin_of_nhi_scanner_names_a_release_commit_in_mains_history() -> None:
    """Examples and README pin our own action, hook and package to a release commit with its
    version beside it; the commit is listed in docs/releases.md, is an ancestor of HEAD, and
    sets the version its comment names (tags may be missing from a clone; commits are not)."""
    pins = []
    for document in [*EXAMPLES, ROOT / "README.md"]:
        for match in PINNED.finditer(document.read_text()):
            sha = match["sha"] or match["ref"] or match["rev"]
            pins.append((document.name, sha, match["tag"] or match["ref_tag"] or match["rev_tag"]))
    assert sorted((name for name, _, _ in pins)) == [
        "README.md", "README.md", "nhi-organisation.yml", "nhi-pull-request.yml",
        "nhi-scheduled.yml",
    ]  # fmt: skip
    releases = released()
    for name, sha, version in pins:
        assert releases.get(sha) == version, (name, sha, version)
        assert git_out("merge-base", "--is-ancestor", sha, "HEAD") == ""
        assert f'__version__ = "{version}"' in git_out("show", f"{sha}:scanner/__init__.py")
    # Nothing refers to our own action by a branch or tag.
    for document in [*EXAMPLES, ROOT / "README.md"]:
        assert not re.search(r"nhi-scanner/nhi-scanner@(?![0-9a-f]{40} )", document.read_text())
