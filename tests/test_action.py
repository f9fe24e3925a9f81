"""Run action.yml's steps as the runner would: bash, env from inputs, GITHUB_* files.

The `uses:` step (setup-python) is replaced by this interpreter; every `run:` step runs as
written, including the install of this checkout into the action's own virtual environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner import __version__
from tests.conftest import GIT_ENV
from tests.test_shallow import busy, origin

ROOT = Path(__file__).parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
KEY = 'resource "aws_iam_access_key" "{name}" {{\n  user = "ci"\n}}\n'


def git(cwd: Path, *args: str) -> None:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True
    )
    assert done.returncode == 0, (args, done.stderr)  # git's own words when a step fails


def step(step_id: str) -> dict[str, Any]:
    """The action's step with this id."""
    found = [s for s in ACTION["runs"]["steps"] if s.get("id") == step_id]
    assert len(found) == 1, step_id
    return found[0]


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory) -> Path:
    """RUNNER_TEMP with the action's venv installed once (the install step, as written)."""
    temp = tmp_path_factory.mktemp("runner_temp")
    install = step("install")
    env = {
        **os.environ,
        "RUNNER_TEMP": str(temp),
        "GITHUB_ACTION_PATH": str(ROOT),
        "NHI_PYTHON": sys.executable,
    }
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", install["run"]],
        env=env,
        check=True,
        capture_output=True,
    )
    return temp


def run_scan_step(
    workspace: Path, runner_temp: Path, inputs: dict[str, str], github: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    scan = step("scan")
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    values = {**defaults, **inputs}
    env = {
        name: re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: values[m[1]], template)
        for name, template in scan["env"].items()
    }
    output, summary = workspace.parent / "output", workspace.parent / "summary"
    env |= {
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "acme/infra",
        "PATH": os.environ["PATH"],
        "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],  # the tests' own cache, not ~/.cache
        **github,
    }
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", scan["run"]],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
    )
    return result, output, summary


def commit(folder: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)


def checkout(tmp_path: Path, main: dict[str, str], feature: dict[str, str]) -> Path:
    """A workspace cloned like actions/checkout with fetch-depth 0 from an origin whose main
    holds `main`, on a branch `feature` that adds `feature` (paths -> text) in one commit."""
    origin, seed, workspace = tmp_path / "origin.git", tmp_path / "seed", tmp_path / "workspace"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(seed))
    commit(seed, main, "old key")
    git(seed, "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", f"file://{origin}", str(workspace))
    git(workspace, "checkout", "-q", "-b", "feature")
    commit(workspace, feature, "new key")
    return workspace


@pytest.fixture
def pull_request(tmp_path) -> Path:
    """A workspace checked out like actions/checkout with fetch-depth 0, on a PR branch."""
    return checkout(
        tmp_path, {"old.tf": KEY.format(name="old")}, {"new.tf": KEY.format(name="new")}
    )


def test_pull_request_run(pull_request: Path, runner_temp: Path) -> None:
    result, output, summary = run_scan_step(
        pull_request,
        runner_temp,
        {},
        {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"},
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "::error file=new.tf,line=1,endLine=3,title=NHI001 (high)::aws_iam_access_key new has "
        "no accountable owner: no CODEOWNERS rule covers new.tf and the declaration names no "
        "owner",
        "::warning file=new.tf,line=1,endLine=3,title=NHI002 (medium)::aws_iam_access_key new "
        "is a long-lived static cloud credential; prefer short-lived federation (OIDC, "
        "workload identity)",
    ]
    assert output.read_text() == (
        f"sarif-file=nhi.sarif\njson-file=nhi.json\nversion={__version__}\nfindings=2\n"
    )
    # The runner's own clone gets git's commit-graph with changed paths before blame (#21).
    assert "nhi-scanner: wrote git's commit-graph with changed paths in " in result.stderr
    assert (pull_request / ".git/objects/info/commit-graph").is_file()
    assert summary.read_text().startswith("## nhi-scanner: 2 open findings in acme/infra\n")
    report = json.loads((pull_request / "nhi.json").read_text())
    assert {(f["identity"], f["rule"], f["status"]) for f in report["findings"]} == {
        ("new.tf#aws_iam_access_key.new", "NHI001", "open"),
        ("new.tf#aws_iam_access_key.new", "NHI002", "open"),
        ("old.tf#aws_iam_access_key.old", "NHI001", "pre-existing"),
        ("old.tf#aws_iam_access_key.old", "NHI002", "pre-existing"),
    }
    sarif = json.loads((pull_request / "nhi.sarif").read_text())
    assert sarif["version"] == "2.1.0"


def test_the_roster_input_blocks_a_pull_request_that_hands_a_credential_to_someone_who_left(
    pull_request: Path, runner_temp: Path
) -> None:
    # The people data the aggregator reads, given to the pull-request gate (#23).
    (pull_request / ".github").mkdir()
    (pull_request / ".github" / "people.csv").write_text(
        "email,status,github_login,leave_date\n"
        "carol@example.com,active,carolc,\n"
        "bob@example.com,departed,bobb,2026-03-02\n"
    )
    (pull_request / ".github" / "teams.yml").write_text("'@acme/infra': [bobb]\n")
    (pull_request / ".github" / "CODEOWNERS").write_text("/new.tf @acme/infra\n/old.tf @carolc\n")
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-q", "-m", "owners")
    inputs = {"roster": ".github/people.csv\n", "teams": ".github/teams.yml", "fail-on": "high"}
    result, _, _ = run_scan_step(
        pull_request, runner_temp, inputs,
        {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert [line for line in result.stdout.splitlines() if "NHI102" in line] == [
        "::error file=new.tf,line=1,endLine=3,title=NHI102 (high)::aws_iam_access_key new is "
        "orphaned: every owner (@acme/infra) has left",
    ]


def test_a_shallow_checkout_is_deepened_before_the_scan(
    pull_request: Path, runner_temp: Path, tmp_path: Path
) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{pull_request}", str(shallow))
    result, output, _ = run_scan_step(
        shallow, runner_temp, {"fail-on": "critical"}, {"GITHUB_BASE_REF": "main"}
    )
    assert result.returncode == 0, result.stderr
    assert "nhi-scanner: the checkout was shallow; fetched 1 more commit in " in result.stderr
    assert " s: its full history\n" in result.stderr
    assert "shallow checkout" not in result.stdout
    report = json.loads((shallow / "nhi.json").read_text())
    assert report["repository"]["shallow"] is False
    assert {(f["identity"], f["rule"]) for f in report["findings"]} == {
        ("new.tf#aws_iam_access_key.new", "NHI001"),
        ("new.tf#aws_iam_access_key.new", "NHI002"),
        ("old.tf#aws_iam_access_key.old", "NHI001"),
        ("old.tf#aws_iam_access_key.old", "NHI002"),
    }
    assert output.read_text().endswith("findings=4\n")


def test_a_shallow_checkout_that_cannot_be_deepened_is_explained_and_never_an_alert(
    pull_request: Path, runner_temp: Path, tmp_path: Path
) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{pull_request}", str(shallow))
    git(shallow, "remote", "remove", "origin")
    result, output, _ = run_scan_step(
        shallow, runner_temp, {"fail-on": "critical"}, {"GITHUB_BASE_REF": "main"}
    )
    assert result.returncode == 0, result.stderr
    assert (
        "nhi-scanner: could not fetch more history (git fetch failed: fatal: 'origin' does "
        "not appear to be a git repository)" in result.stderr
    )
    assert result.stdout.splitlines()[0].startswith(
        "::warning title=nhi-scanner: shallow checkout::This checkout is shallow"
    )
    # NHI001 and NHI002 for each key, and NHI007 (provisioner unknown: shallow) for each.
    assert output.read_text().endswith("findings=6\n")
    report = json.loads((shallow / "nhi.json").read_text())
    assert sorted(
        (f["identity"], f["rule"]) for f in report["findings"] if f["rule"] == "NHI007"
    ) == [("new.tf#aws_iam_access_key.new", "NHI007"), ("old.tf#aws_iam_access_key.old", "NHI007")]
    assert report["repository"]["shallow"] is True
    run = json.loads((shallow / "nhi.sarif").read_text())["runs"][0]
    assert "NHI007" not in {r["ruleId"] for r in run["results"]}
    assert [n["descriptor"]["id"] for n in run["invocations"][0]["toolExecutionNotifications"]] == [
        "NHI007",
        "NHI007",
    ]


def test_a_long_shallow_history_is_deepened_only_as_far_as_its_identities_need(
    runner_temp: Path, tmp_path: Path
) -> None:
    """Carol's key is 62 commits deep in a history of 262: the Action deepens twice (50, then
    100 more from the boundary, which the base branch's tip shares), stops at 152 commits,
    names Carol, keeps diff mode, and says nothing about a shallow checkout."""
    bare = origin(tmp_path, [*busy("Alice", 200), ("Carol", [("M", "old.tf", KEY.format(
        name="old"))]), *busy("Alice", 60)])  # fmt: skip
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", f"file://{bare}", str(seed))
    git(seed, "checkout", "-q", "-b", "feature")
    commit(seed, {"new.tf": KEY.format(name="new")}, "new key")
    git(seed, "push", "-q", "origin", "feature")
    workspace = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature",
        f"file://{bare}", str(workspace))  # fmt: skip
    result, output, _ = run_scan_step(
        workspace, runner_temp, {}, {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"}
    )
    assert result.returncode == 1, result.stderr
    assert "nhi-scanner: the checkout was shallow; fetched 151 more commits in " in result.stderr
    assert subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=workspace, text=True,
                          capture_output=True).stdout == "152\n"  # fmt: skip
    assert " s: every identity file's history is complete\n" in result.stderr
    assert "nhi: this is a shallow clone" not in result.stderr
    assert "shallow checkout" not in result.stdout
    assert output.read_text().endswith("findings=2\n")
    report = json.loads((workspace / "nhi.json").read_text())
    assert {(f["identity"], f["rule"], f["status"]) for f in report["findings"]} == {
        ("new.tf#aws_iam_access_key.new", "NHI001", "open"),
        ("new.tf#aws_iam_access_key.new", "NHI002", "open"),
        ("old.tf#aws_iam_access_key.old", "NHI001", "pre-existing"),
        ("old.tf#aws_iam_access_key.old", "NHI002", "pre-existing"),
    }
    assert {
        (i["id"], i["provisioner"]["email"], i["provisioner"]["confidence"])
        for i in report["identities"]
    } == {
        ("new.tf#aws_iam_access_key.new", "alice@example.com", "high"),
        ("old.tf#aws_iam_access_key.old", "carol@example.com", "high"),
    }


def test_a_version_input_naming_another_release_stops_before_scanning(
    pull_request: Path, runner_temp: Path
) -> None:
    result, output, _ = run_scan_step(pull_request, runner_temp, {"version": "v9.9.9"}, {})
    assert result.returncode == 2
    assert result.stdout == (
        f"::error title=nhi-scanner: version::this action's commit is nhi-scanner {__version__}, "
        "not v9.9.9 as the version input says; pin the commit of the release you want "
        "(docs/releases.md lists each release's commit)\n"
    )
    assert not output.exists() and not (pull_request / "nhi.json").exists()
    # The release this commit is, with or without the v, scans as usual.
    for named in (__version__, f"v{__version__}"):
        assert run_scan_step(pull_request, runner_temp, {"version": named}, {})[0].returncode == 1


def test_the_cache_steps_keep_the_folder_the_scan_uses() -> None:
    folder = step("scan")["env"]["XDG_CACHE_HOME"]
    steps = [s for s in ACTION["runs"]["steps"] if "actions/cache/" in s.get("uses", "")]
    restore, save = (s for s in steps if s["with"]["path"] == folder)
    assert (restore["with"]["path"], save["with"]["path"]) == (folder, folder)
    assert (restore["if"], save["if"]) == (
        "${{ inputs.cache == 'true' }}",
        "${{ always() && inputs.cache == 'true' }}",
    )
    # Each run saves under a new key (a cache key is written once); restores take the newest.
    assert save["with"]["key"].startswith(restore["with"]["key"] + "-")
    assert restore["with"]["restore-keys"] == "nhi-scanner-${{ runner.os }}-"


def test_the_locked_environment_is_installed_once_and_kept_by_its_lock(
    runner_temp: Path, tmp_path: Path
) -> None:
    """Every dependency comes from requirements/action.txt, pinned with hashes; nhi runs from
    the action's own checkout; a restored environment is not installed again (#22)."""
    venv = runner_temp / "nhi-venv"
    frozen = subprocess.run([str(venv / "bin/python"), "-I", "-m", "pip", "--version"],
                            capture_output=True, text=True)  # fmt: skip
    assert frozen.returncode != 0  # no pip in it: nothing can install into it later
    lock = (ROOT / "requirements/action.txt").read_text()
    pinned = dict(re.findall(r"^([a-z0-9-]+)==(\S+) \\$", lock, re.M))
    listed = subprocess.run(
        [sys.executable, "-I", "-m", "pip", "--python", str(venv / "bin/python"), "list",
         "--format", "json", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    installed = {p["name"].lower().replace("_", "-"): p["version"]
                 for p in json.loads(listed.stdout)}  # fmt: skip
    assert installed == pinned
    # python-hcl2's grammar is built at install time, so no scan pays for it (#21).
    assert list(venv.glob("lib/python*/site-packages/hcl2/.lark_cache.bin"))
    code = "import scanner; print(scanner.__file__)"
    where = subprocess.run([str(venv / "bin/python"), "-I", "-c", code],
                           capture_output=True, text=True, check=True, cwd=tmp_path)  # fmt: skip
    assert where.stdout.strip() == str(ROOT / "scanner/__init__.py")
    # The install step again, on the restored environment: nothing is installed.
    marker = venv / "marker"
    marker.write_text("kept")
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_ACTION_PATH": str(ROOT),
           "NHI_PYTHON": "/nonexistent/python"}  # fmt: skip
    subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                    step("install")["run"]], env=env, check=True, capture_output=True)  # fmt: skip
    assert marker.read_text() == "kept"
    # The key: the runner, the Python and the lock's hash (a new lock is a new environment).
    outputs = tmp_path / "outputs"
    env = {**os.environ, "NHI_PYTHON": sys.executable, "NHI_PYTHON_VERSION": "3.12.1",
           "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_OUTPUT": str(outputs), "RUNNER_OS": "Linux",
           "RUNNER_ARCH": "X64"}  # fmt: skip
    subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                    step("venv")["run"]], env=env, check=True, capture_output=True)  # fmt: skip
    digest = hashlib.sha256((ROOT / "requirements/action.txt").read_bytes()).hexdigest()[:16]
    assert outputs.read_text() == f"key=nhi-venv-Linux-X64-py3.12.1-{digest}\n"


def test_code_in_the_scanned_repository_never_runs(pull_request: Path, runner_temp: Path) -> None:
    # The steps run in the workspace: without -I, `python -m scanner.action` (and -m venv,
    # -m pip) would import a module of that name from the scanned repository first (#12).
    canary = pull_request.parent / "pwned"
    payload = f"import pathlib; pathlib.Path({str(canary)!r}).write_text('ran')\n"
    for module in ("scanner/__init__.py", "scanner/action.py", "pip/__init__.py", "venv.py"):
        (pull_request / module).parent.mkdir(parents=True, exist_ok=True)
        (pull_request / module).write_text(payload)
    result, output, _ = run_scan_step(
        pull_request, runner_temp, {"fail-on": "critical"}, {"PYTHONPATH": str(pull_request)}
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text().startswith("sarif-file=nhi.sarif\n")
    install = step("install")
    env = {**os.environ, "RUNNER_TEMP": str(pull_request.parent / "temp2"),
           "GITHUB_ACTION_PATH": str(ROOT), "NHI_PYTHON": sys.executable,
           "PYTHONPATH": str(pull_request)}  # fmt: skip
    subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", install["run"]],
                   cwd=pull_request, env=env, check=True, capture_output=True)  # fmt: skip
    assert not canary.exists()


def _event(tmp_path: Path, payload: dict[str, Any]) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return {"GITHUB_EVENT_PATH": str(path)}


@pytest.mark.parametrize(
    ("name", "payload", "extra", "expected"),
    [
        ("pull_request", {}, {"GITHUB_BASE_REF": "main"}, "origin/main"),
        ("pull_request_target", {}, {"GITHUB_BASE_REF": "dev"}, "origin/dev"),
        ("merge_group", {"merge_group": {"base_sha": "b" * 40}}, {}, "b" * 40),
        ("push", {"before": "c" * 40, "repository": {"default_branch": "main"}}, {}, "c" * 40),
        # A new branch: nothing before it, so the default branch is the base.
        (
            "push",
            {"before": "0" * 40, "repository": {"default_branch": "main"}},
            {"GITHUB_REF": "refs/heads/topic"},
            "origin/main",
        ),
        (
            "push",
            {"before": "c" * 40, "forced": True, "repository": {"default_branch": "main"}},
            {"GITHUB_REF": "refs/heads/topic"},
            "origin/main",
        ),
        # A new default branch has no other base: report only.
        (
            "push",
            {"before": "0" * 40, "repository": {"default_branch": "main"}},
            {"GITHUB_REF": "refs/heads/main"},
            "",
        ),
        ("schedule", {}, {}, ""),
        ("workflow_dispatch", {}, {}, ""),
    ],
)
def test_the_diff_base_follows_the_event(tmp_path, name, payload, extra, expected) -> None:
    from scanner.action import wanted_base

    env = {"GITHUB_EVENT_NAME": name, **_event(tmp_path, payload), **extra}
    assert wanted_base(env)[0] == expected
    assert wanted_base({**env, "NHI_DIFF_BASE": "v1.0"})[0] == "v1.0"


def test_a_push_fails_only_on_what_it_added(pull_request, runner_temp, tmp_path) -> None:
    before = subprocess.run(["git", "rev-parse", "HEAD~1"], cwd=pull_request, text=True,
                            capture_output=True, check=True).stdout.strip()  # fmt: skip
    github = {"GITHUB_EVENT_NAME": "push", **_event(tmp_path, {"before": before})}
    result, output, _ = run_scan_step(pull_request, runner_temp, {}, github)
    assert result.returncode == 1, result.stderr
    assert f"diff base {before} (the commit before the push)" in result.stderr
    report = json.loads((pull_request / "nhi.json").read_text())
    assert {(f["identity"], f["status"]) for f in report["findings"]} == {
        ("new.tf#aws_iam_access_key.new", "open"),
        ("old.tf#aws_iam_access_key.old", "pre-existing"),
    }
    assert output.read_text().endswith("findings=2\n")


def test_a_scheduled_run_reports_everything_and_fail_on_none_never_fails(
    pull_request, runner_temp, tmp_path
) -> None:
    github = {"GITHUB_EVENT_NAME": "schedule", **_event(tmp_path, {})}
    result, output, _ = run_scan_step(pull_request, runner_temp, {"fail-on": "none"}, github)
    assert result.returncode == 0, result.stderr
    assert "diff base" not in result.stderr
    assert output.read_text().endswith("findings=4\n")


def test_a_bad_input_leaves_no_stale_outputs(pull_request, runner_temp) -> None:
    (pull_request / "nhi.json").write_text('{"findings": [{"status": "open"}]}')
    result, output, _ = run_scan_step(pull_request, runner_temp, {"policies": "missing.yaml"}, {})
    assert result.returncode == 2, result.stderr
    assert not output.exists()


def test_policies_are_one_path_a_line_and_keep_their_spaces(tmp_path) -> None:
    from scanner.action import arguments

    env = {"NHI_POLICIES": "policies/My Rules.yaml\n\n  extra/  \n"}
    argv = arguments(env, tmp_path / "summary.md", None)
    assert argv[argv.index("--policies") :] == [
        "--policies", "policies/My Rules.yaml", "--policies", "extra/",
    ]  # fmt: skip


def test_the_lock_satisfies_every_runtime_dependency() -> None:
    """requirements/action.txt is regenerated when pyproject.toml's dependencies change (the
    command is in its header): a dependency it lacks, or pins outside the range, fails here."""
    import tomllib

    from packaging.requirements import Requirement

    lock = (ROOT / "requirements/action.txt").read_text()
    pinned = dict(re.findall(r"^([a-z0-9-]+)==(\S+) \\$", lock, re.M))
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for line in wanted:
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        assert name in pinned, name
        assert requirement.specifier.contains(pinned[name]), (name, pinned[name])


def test_a_merge_queue_run_fails_only_on_what_the_queue_adds(
    pull_request, runner_temp, tmp_path
) -> None:
    base = subprocess.run(["git", "rev-parse", "origin/main"], cwd=pull_request, text=True,
                          capture_output=True, check=True).stdout.strip()  # fmt: skip
    github = {"GITHUB_EVENT_NAME": "merge_group",
              **_event(tmp_path, {"merge_group": {"base_sha": base}})}  # fmt: skip
    result, _, _ = run_scan_step(pull_request, runner_temp, {}, github)
    assert result.returncode == 1, result.stderr
    assert f"diff base {base} (the merge queue's base commit)" in result.stderr
    report = json.loads((pull_request / "nhi.json").read_text())
    assert {(f["identity"], f["rule"], f["status"]) for f in report["findings"]} == {
        ("new.tf#aws_iam_access_key.new", "NHI001", "open"),
        ("new.tf#aws_iam_access_key.new", "NHI002", "open"),
        ("old.tf#aws_iam_access_key.old", "NHI001", "pre-existing"),
        ("old.tf#aws_iam_access_key.old", "NHI002", "pre-existing"),
    }


def test_a_monorepo_path_is_scanned_as_part_of_the_repository(tmp_path, runner_temp) -> None:
    """`path: services/api`: ids, annotations and SARIF paths from the repository root, owners
    from the root CODEOWNERS, and nothing from the rest of the monorepo (#22)."""
    workspace = checkout(
        tmp_path,
        {".github/CODEOWNERS": "/services/api/ @acme/api\n",
         "services/api/old.tf": KEY.format(name="old")},
        {"services/api/new.tf": KEY.format(name="new"),
         "services/web/web.tf": KEY.format(name="web")},
    )  # fmt: skip
    result, output, _ = run_scan_step(
        workspace, runner_temp, {"path": "services/api"},
        {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # owned: only NHI002, a warning
    assert result.stdout.splitlines() == [
        "::warning file=services/api/new.tf,line=1,endLine=3,title=NHI002 (medium)::"
        "aws_iam_access_key new is a long-lived static cloud credential; prefer short-lived "
        "federation (OIDC, workload identity)",
    ]
    report = json.loads((workspace / "nhi.json").read_text())
    assert [(i["id"], i["owners"]) for i in report["identities"]] == [
        ("services/api/new.tf#aws_iam_access_key.new", ["@acme/api"]),
        ("services/api/old.tf#aws_iam_access_key.old", ["@acme/api"]),
    ]
    sarif = json.loads((workspace / "nhi.sarif").read_text())
    assert sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                   bool(r.get("suppressions"))) for r in sarif["runs"][0]["results"]) == [
        ("services/api/new.tf", False), ("services/api/old.tf", False),
    ]  # fmt: skip
    assert output.read_text().endswith("findings=1\n")


def test_a_fork_pull_request_runs_like_any_other(pull_request, runner_temp, tmp_path) -> None:
    """A fork's pull request: a read-only token, the base repository's checkout of the merge.
    The scan needs no write permission, so outputs, annotations and summary are the same; the
    example workflow skips only the SARIF upload (tests/test_examples.py)."""
    payload = {"pull_request": {"number": 7, "head": {"repo": {"fork": True}}}}
    github = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
              "GITHUB_HEAD_REF": "contributor-branch", **_event(tmp_path, payload)}  # fmt: skip
    result, output, summary = run_scan_step(pull_request, runner_temp, {}, github)
    assert result.returncode == 1, result.stderr
    assert [line.split("::")[1] for line in result.stdout.splitlines()] == [
        "error file=new.tf,line=1,endLine=3,title=NHI001 (high)",
        "warning file=new.tf,line=1,endLine=3,title=NHI002 (medium)",
    ]
    assert output.read_text() == (
        f"sarif-file=nhi.sarif\njson-file=nhi.json\nversion={__version__}\nfindings=2\n"
    )
    assert summary.read_text().startswith("## nhi-scanner: 2 open findings in acme/infra\n")
