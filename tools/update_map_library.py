"""Re-fetch the lineage map's graph library from the npm registry and check it.

    python tools/update_map_library.py             # the pinned version, verified
    python tools/update_map_library.py 3.36.0      # move the pin to another version

The map (scanner/lineage/html.py) inlines scanner/lineage/vendor/cytoscape.min.js into every
page; nothing is fetched when a map is written or opened. This script is the only way the file
changes: `npm pack` downloads the tarball, its sha512 must equal the integrity pinned in
scanner/lineage/vendor/manifest.json (or, for a new version, the one `npm view` reports), and
the minified build and the licence are copied out with their sha256 recorded, which
tests/lineage/test_vendor.py checks against the files shipped.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).parents[1] / "scanner" / "lineage" / "vendor"
MANIFEST = VENDOR / "manifest.json"


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def npm(*args: str, cwd: Path) -> str:
    return subprocess.run(["npm", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def update(entry: dict[str, object], version: str | None, work: Path) -> dict[str, object]:
    name = str(entry["name"])
    expected = str(entry["integrity"])
    if version and version != entry["version"]:
        expected = json.loads(npm("view", f"{name}@{version}", "dist.integrity", "--json",
                                  cwd=work))  # fmt: skip
    version = version or str(entry["version"])
    packed = json.loads(npm("pack", f"{name}@{version}", "--json", cwd=work))[0]["filename"]
    tarball = (work / packed).read_bytes()
    if integrity(tarball) != expected:
        sys.exit(f"{name}@{version}: integrity {integrity(tarball)} is not {expected}")
    files: dict[str, str] = {}
    with tarfile.open(work / packed) as archive:
        for inside, target in dict(entry["files"]).items():  # type: ignore[call-overload]
            member = archive.extractfile(inside)
            if member is None:
                sys.exit(f"{name}@{version}: no {inside} in the tarball")
            data = member.read()
            (VENDOR / target).write_bytes(data)
            files[target] = hashlib.sha256(data).hexdigest()
    return {**entry, "version": version, "integrity": expected, "sha256": files}


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else None
    manifest = json.loads(MANIFEST.read_text())
    with tempfile.TemporaryDirectory() as work:
        manifest["packages"] = [update(entry, version, Path(work))
                                for entry in manifest["packages"]]  # fmt: skip
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    for entry in manifest["packages"]:
        print(f"{entry['name']}@{entry['version']} {entry['integrity']}")


if __name__ == "__main__":
    main()
