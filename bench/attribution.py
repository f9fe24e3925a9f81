"""Agreement of the provisioner with the commit that introduced each declaration (issue 20).

For every Terraform identity of a scan, the reference is the oldest commit that changed the
number of occurrences of its declaration (`resource "TYPE" "NAME"`) in its file, following
renames: `git log --reverse -S SIGNATURE -- PATH`; when that commit took the
declaration out of another file (a move) or renamed it with a `moved` block (the same
resource), the search goes on from there. The figure is the share of
identities whose provisioner email (mailmapped, as blame gives it) is that commit's author.

    python bench/attribution.py REPOSITORY [--nhi PATH-TO-nhi] [--show 10]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time
from pathlib import Path


class Unavailable(Exception):
    """git could not answer (a clone that lacks an object): no reference for this identity."""


def _git(root: Path, *args: str) -> list[str]:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=False)  # fmt: skip
    if done.returncode != 0 and "unable to read" in done.stderr:
        raise Unavailable(done.stderr.strip())
    return done.stdout.split()


def reference(root: Path, path: str, kind: str, name: str, rev: str = "HEAD") -> str | None:
    """The author of the commit that introduced `"kind" "name"` in `path`, following renames
    and moves: when that commit also took the declaration out of another file, the search
    goes on in that file, before that commit."""
    signature = f'"{kind}" "{name}"'
    # No --follow: it reads every blob of a commit to find renames; a file renamed (or a
    # folder moved) loses the declaration in its old path, which the move search below finds.
    found = _git(root, "log", "--reverse", "--format=%H", "-S", signature, rev, "--", path)
    if not found:
        return None
    first = found[0]
    text = subprocess.run(["git", "show", f"{first}:{path}"], cwd=root, capture_output=True,
                          text=True, check=False).stdout  # fmt: skip
    renamed = re.search(rf"moved\s*{{[^}}]*from\s*=\s*{re.escape(kind)}\.([\w-]+)[^}}]*"
                        rf"to\s*=\s*{re.escape(kind)}\.{re.escape(name)}\b", text)  # fmt: skip
    if renamed:  # a rename kept by a moved block: the same resource, created earlier
        older = reference(root, path, kind, renamed[1], f"{first}^")
        if older is not None:
            return older
    for other in _git(root, "diff", "--no-renames", "--name-only", "-S", signature,
                      f"{first}^", first, "--", "*.tf"):  # fmt: skip
        if other == path:
            continue
        old = subprocess.run(["git", "show", f"{first}^:{other}"], cwd=root, capture_output=True,
                             text=True, check=False).stdout  # fmt: skip
        if signature in old:  # taken out of `other` by this commit: a move
            return reference(root, other, kind, name, f"{first}^")
    author = _git(root, "log", "-1", "--format=%aE", first)
    return author[0].lower() if author else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository", type=Path)
    parser.add_argument("--nhi", default="nhi")
    parser.add_argument("--show", type=int, default=10, help="disagreements to print")
    args = parser.parse_args()
    started = time.perf_counter()
    scan = subprocess.run(
        [args.nhi, "scan", "--repo", str(args.repository), "--format", "json", "--no-cache",
         "--fail-on", "critical"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    report = json.loads(scan.stdout)
    agree = total = unavailable = 0
    shown = 0
    for item in report["identities"]:
        if item["scanner"] != "terraform" or item["attributes"].get("defined_at"):
            continue
        kind, _, name = str(item["attributes"].get("address", "")).rpartition(".")
        try:
            expected = reference(args.repository, item["path"], kind, name)
        except Unavailable:
            unavailable += 1
            continue
        if expected is None:
            continue
        total += 1
        got = (item.get("provisioner") or {}).get("email")
        if got == expected:
            agree += 1
        elif shown < args.show:
            shown += 1
            print(f"  {item['id']}: nhi {got} ({(item.get('provisioner') or {}).get('confidence')})"
                  f", git log -S {expected}")  # fmt: skip
    print(
        f"{args.repository.name}: {agree}/{total} = {agree / max(total, 1):.3f} agreement; "
        f"scan {seconds:.1f} s; no reference (git could not read the history) for {unavailable}"
    )


if __name__ == "__main__":
    main()
