"""Run the benchmark scenarios and print a table of medians (wall time, peak memory).

    python bench/run.py [--runs 5] [--work bench/out] [--tf-files 3000 --commits 2000 ...]
                        [--scaling]

`--scaling` adds cold scans of repositories of 1,000, 3,000 and 9,000 Terraform files (the same
share of identities) to show that memory follows the identities kept, not the files read.

Each scenario is a whole `nhi` process, timed from start to exit, run once to warm up and then
`--runs` times; peak memory is the child's maximum resident set size (from wait4). When
`checkov` is on PATH it is run on the same tree in the same session and the ratio printed.

The full scans write JSON reports; cold, warm and after-a-new-commit must say the same (the
commit aside, which the new commit changes), and after a commit that edits one identity file
the warm scan must say what a cold one says: a cache that answered wrongly fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import Shape, generate
from org import generate as generate_org

NHI = [sys.executable, "-m", "scanner"]


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit code of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def scenario(
    name: str,
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    runs: int,
    before: Callable[[], None] = lambda: None,
) -> dict[str, object]:
    before()
    measure(argv, cwd, env)  # warm-up (file system cache, bytecode)
    samples = []
    for _ in range(runs):
        before()
        samples.append(measure(argv, cwd, env))
    return {
        "scenario": name,
        "median_s": statistics.median(s[0] for s in samples),
        "peak_mib": max(s[1] for s in samples),
        "exit": samples[-1][2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--scaling", action="store_true", help="also cold scans at 1k/3k/9k files")
    for field, value in Shape().__dict__.items():
        parser.add_argument(f"--{field.replace('_', '-')}", type=type(value), default=value)
    args = vars(parser.parse_args())
    runs, work, scaling = args.pop("runs"), args.pop("work"), args.pop("scaling")
    shape = Shape(**args)
    repo = work / f"repo-{shape.tf_files}-{shape.commits}-{shape.seed}"
    if not repo.exists():
        generate(repo, shape)
    # Installed packages have bytecode (pip compiles it); a PYTHONDONTWRITEBYTECODE left in
    # the environment would make every run compile nhi's modules again and measure that.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(work / "cache")
    staged = subprocess.run(
        ["git", "ls-files", "infra/stack000/*.tf"],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[:10]

    def cold() -> None:
        shutil.rmtree(work / "cache", ignore_errors=True)

    def commit(message: str, *added: str) -> None:
        who = {"NAME": "bench", "EMAIL": "bench@example.com"}
        pinned = {**env, **{f"GIT_{role}_{k}": v for role in ("AUTHOR", "COMMITTER")
                            for k, v in who.items()}}  # fmt: skip
        if added:
            subprocess.run(["git", "add", "--", *added], cwd=repo, env=pinned, check=True)
        subprocess.run(["git", "commit", "-q", "-am", message], cwd=repo, env=pinned, check=True)

    def new_commit() -> None:
        """CI's case: a new HEAD (a merge of an unrelated change) on a warm cache."""
        (repo / "bench-touch.txt").write_text(f"{time.time_ns()}\n")
        commit("unrelated change", "bench-touch.txt")

    declaring = next(repo / name for name in staged  # a file that declares identities
                     if 'resource "aws_iam_' in (repo / name).read_text())  # fmt: skip

    def identity_commit() -> None:
        """A pull request's case: a commit that edits one file declaring identities."""
        with declaring.open("a") as file:
            file.write(f"# bench {time.time_ns()}\n")
        commit("edit an identity file")

    full = [*NHI, "scan", "--output", os.devnull]
    rows = [
        scenario("full scan, cold", full, repo, env, runs, cold),
        scenario("full scan, warm", full, repo, env, runs),
        scenario("warm, after a new commit", full, repo, env, runs, new_commit),
        scenario("warm, identity file edit", full, repo, env, runs, identity_commit),
        scenario("hook: 10 staged files", [*NHI, "scan", *staged], repo, env, runs),
        scenario("one file", [*NHI, "scan", staged[0]], repo, env, runs),
        scenario("nhi --version", [*NHI, "--version"], repo, env, runs),
    ]
    org = work / "org-500-100-5000"  # bench/org.py's shape, small enough for every run
    if not org.exists():
        generate_org(org, reports=500, identities=100, people=5000)
    aggregate = [*NHI, "aggregate", "reports", "--roster", "roster.csv", "--teams", "teams.json",
                 "--no-db", "--format", "json", "--output", os.devnull]  # fmt: skip
    rows.append(scenario("aggregate 500 reports", aggregate, org, env, runs))
    if scaling:
        for files in (1000, 3000, 9000):
            size = Shape(**{**args, "tf_files": files, "commits": 200})
            tree = work / f"repo-{size.tf_files}-{size.commits}-{size.seed}"
            if not tree.exists():
                generate(tree, size)
            cold_scan = [*NHI, "scan", "--no-cache", "--output", os.devnull]
            rows.append(scenario(f"cold scan, {files} files", cold_scan, tree, env, 1))
    if shutil.which("checkov"):
        checkov = ["checkov", "-d", str(repo), "--framework", "terraform", "--quiet"]
        rows.append(scenario("checkov (terraform)", checkov, repo, env, max(1, runs // 3)))
    print(
        f"repository: {shape.tf_files} .tf files ({shape.identity_share:.0%} with identities),"
        f" {shape.commits} commits; {os.cpu_count()} cores; {runs} runs after a warm-up\n"
    )
    print(f"| {'scenario':<24} | {'median s':>9} | {'peak MiB':>9} | exit |")
    print(f"|{'-' * 26}|{'-' * 11}|{'-' * 11}|------|")
    for row in rows:
        print(
            f"| {row['scenario']:<24} | {row['median_s']:>9.3f} | {row['peak_mib']:>9.1f} "
            f"| {row['exit']:>4} |"
        )
    print(f"\nreports: {same(repo, work, env, cold, new_commit, identity_commit)}")
    if shutil.which("checkov"):
        ratio = rows[-1]["median_s"] / rows[0]["median_s"]  # type: ignore[operator]
        print(f"\ncheckov / nhi cold full scan: {ratio:.1f}x")


def same(
    repo: Path,
    work: Path,
    env: dict[str, str],
    cold: Callable[[], None],
    commit: Callable[[], None],
    edit: Callable[[], None],
) -> str:
    """Whether a full scan's report is the same cold, warm and after a new commit (the scanned
    commit aside, which that commit changes), and after an identity file's edit the same warm
    as cold; exits 1 if not. One JSON scan of each, after the timed runs (which render text)."""
    seen = {}
    steps = (("cold", cold), ("warm", lambda: None), ("after-commit", commit),
             ("edited", edit), ("edited, cold", cold))  # fmt: skip
    for name, before in steps:
        before()
        path = work / f"report-{name.replace(', ', '-')}.json"
        subprocess.run(
            [*NHI, "scan", "--format", "json", "--output", str(path)],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        report = json.loads(path.read_text())
        report["repository"].pop("commit", None)
        seen[name] = report
    pairs = [("cold", "warm"), ("cold", "after-commit"), ("edited, cold", "edited")]
    differ = [f"{warm} against {first}" for first, warm in pairs if seen[warm] != seen[first]]
    if differ:
        sys.exit(f"reports differ: {', '.join(differ)} (see {path.parent})")
    return (
        f"warm and after a commit as cold, an edited identity file's warm as its cold "
        f"({len(seen['cold']['identities'])} identities)"
    )


if __name__ == "__main__":
    main()
