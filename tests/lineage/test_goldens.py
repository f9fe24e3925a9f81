"""Every folder under tests/lineage/cases/ is a repository; `<case>.expected.json` beside it
holds its identity ids (module instances included), their consumers, links and reach, as the
JSON report writes them. Run `pytest --update-goldens` to rewrite them, then review the diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scanner import pipeline
from scanner.reporters.json import link_json, reach_json

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_lineage(case: str, git_repo, golden) -> None:
    shutil.copytree(CASES / case, git_repo.root, dirs_exist_ok=True)
    git_repo.commit("the case")
    options = pipeline.Options(repository_name=f"acme/{case}", attribution=False)
    report = pipeline.scan(git_repo.root, options=options)
    actual = {
        "identities": [s.identity.id for s in report.subjects],
        # who uses each: what its file shows, and who runs as it (`lineage.consumers`)
        "consumers": {
            s.identity.id: [f"{c.kind} {c.ref}" for c in s.identity.consumers]
            for s in report.subjects
            if s.identity.consumers
        },
        "links": [link_json(link) for link in report.links],
        "reach": [reach_json(item) for item in report.reach],
    }
    golden(CASES / f"{case}.expected.json", json.dumps(actual, indent=2) + "\n")
