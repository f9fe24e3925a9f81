"""nhi against the tools people already run on the same trees, as ratios from alternating runs.

    python bench/peers.py TREE [TREE ...] [--runs 3]

For each tree, a cold `nhi scan` (attribution included, no cache) and each peer that is on
PATH run one after the other, `--runs` times, so that both see the same machine load; the
table gives each one's median and the peer's median divided by nhi's. Peers: checkov (its
Terraform framework only, as nhi reads Terraform with more), detect-secrets (every file, as nhi
reads every kind it knows) and gitleaks (the directory, not its history). A peer that is not
installed is listed as such; nothing is downloaded. Timings alone say little on a shared
machine: compare the ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import measure

PEERS: dict[str, Callable[[str], list[str]]] = {  # name -> command line for a tree
    "checkov": lambda tree: ["checkov", "-d", tree, "--framework", "terraform", "--quiet",
                             "--compact", "--skip-download"],
    "detect-secrets": lambda tree: ["detect-secrets", "scan", "--all-files", tree],
    "gitleaks": lambda tree: ["gitleaks", "dir", tree, "--no-banner", "--exit-code", "0"],
}  # fmt: skip


def nhi(tree: str) -> list[str]:
    return [sys.executable, "-m", "scanner", "scan", "--repo", tree, "--no-cache",
            "--output", os.devnull, "--fail-on", "none"]  # fmt: skip


def compare(tree: Path, runs: int) -> list[str]:
    """Table rows for one tree: nhi, then each peer with its ratio to nhi."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    present = {name: line(str(tree)) for name, line in PEERS.items() if shutil.which(name)}
    times: dict[str, list[float]] = {"nhi": [], **{name: [] for name in present}}
    for _ in range(runs):  # alternating: nhi, each peer, nhi, each peer ...
        times["nhi"].append(measure(nhi(str(tree)), tree, env)[0])
        for name, argv in present.items():
            times[name].append(measure(argv, tree, env)[0])
    ours = statistics.median(times["nhi"])
    rows = [f"| {tree.name} | nhi (cold, with attribution) | {ours:.2f} | 1.0x |"]
    for name in PEERS:
        if name not in present:
            rows.append(f"| {tree.name} | {name} | not installed | |")
            continue
        theirs = statistics.median(times[name])
        rows.append(f"| {tree.name} | {name} | {theirs:.2f} | {theirs / ours:.1f}x |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(f"{os.cpu_count()} cores; {options.runs} alternating runs; median seconds\n")
    print("| tree | tool | median s | / nhi |\n|---|---|---:|---:|")
    for tree in options.trees:
        print("\n".join(compare(tree.resolve(), options.runs)))


if __name__ == "__main__":
    main()
