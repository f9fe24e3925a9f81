"""What attribution adds to a cold scan as history grows (#21).

    python bench/history.py [--commits 2000 20000 100000] [--runs 3] [--work bench/out]
                            [--before DIR]

For each history length, a generated repository of 1,000 Terraform files (`bench/generate.py`;
the same tree shape at every length, 2% of commits renaming a file, 5% by bots) is scanned cold
(`--no-cache`) with and without attribution, the scans alternating, `--runs` times each. With
`--before DIR` the same cold scan by another checkout of nhi (run with PYTHONPATH=DIR, from
outside this checkout) is added to each round, and the reports of the two are compared: they
must be identical. Prints the medians, attribution's ratio to the scan without it, and the
speed-up over `--before`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import Shape, generate

HERE = Path(__file__).parents[1]


def scan(repo: Path, code: Path, output: Path, *extra: str) -> float:
    """Seconds for one whole `nhi scan` process of `repo` by the checkout `code`."""
    # Bytecode written, as run.py has it: each checkout compiles its modules once, not per run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(code)
    argv = [sys.executable, "-m", "scanner", "scan", "--repo", str(repo), "--no-cache",
            "--format", "json", "--fail-on", "none", "--output", str(output), *extra]  # fmt: skip
    start = time.perf_counter()
    # From a neutral folder: `python -m` would import the checkout it is started in.
    subprocess.run(argv, env=env, cwd=tempfile.gettempdir(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--before", type=Path, help="another checkout of nhi, to compare")
    args = parser.parse_args()
    compared = " before | speed-up |" if args.before else ""
    print(f"| commits | without attribution | with | ratio |{compared}")
    print(f"|---:|---:|---:|---:|{'---:|---:|' if args.before else ''}")
    for commits in args.commits:
        shape = Shape(tf_files=1000, commits=commits)
        repo = args.work / f"history-{shape.tf_files}-{commits}-{shape.seed}"
        if not repo.exists():
            generate(repo, shape)
        out = args.work / "history-reports"
        out.mkdir(parents=True, exist_ok=True)
        times: dict[str, list[float]] = {"plain": [], "with": [], "before": []}
        for _ in range(args.runs):
            times["plain"].append(scan(repo, HERE, out / "plain.json", "--no-attribution"))
            times["with"].append(scan(repo, HERE, out / "with.json"))
            if args.before:
                times["before"].append(scan(repo, args.before, out / "before.json"))
        plain, found = (statistics.median(times[k]) for k in ("plain", "with"))
        row = f"| {commits:,} | {plain:.2f} s | {found:.2f} s | {found / plain:.1f}x |"
        if args.before:
            before = statistics.median(times["before"])
            same = json.loads((out / "before.json").read_text()) == json.loads(
                (out / "with.json").read_text()
            )
            row += f" {before:.2f} s | {before / found:.1f}x{'' if same else ' (REPORTS DIFFER)'} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
