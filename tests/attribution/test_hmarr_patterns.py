"""hmarr/codeowners' pattern table, run through our CODEOWNERS parser and matcher (#20).

The table is data, `hmarr_patterns.json` (its source and commit are in its header). A row
where GitHub answers otherwise than hmarr says why in `differs` and gives our answer in
`ours`; the README lists those rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.attribution import codeowners

TABLE = json.loads((Path(__file__).parent / "hmarr_patterns.json").read_text(encoding="utf-8"))
ROWS: list[dict[str, Any]] = TABLE["rows"]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['pattern']} {r['path']}" for r in ROWS])
def test_hmarr_pattern_table(row: dict[str, Any]) -> None:
    rule = codeowners.parse(f"{row['pattern']} @owner\n").match(row["path"])
    assert (rule is not None) is row["ours" if "differs" in row else "expected"]


def test_each_kept_difference_says_why() -> None:
    assert len(ROWS) == 153
    kept = [(r["pattern"], r["path"]) for r in ROWS if "differs" in r]
    assert kept == [("/apps/[param]/file.ts", "apps/[param]/file.ts")]
    for row in ROWS:
        assert ("ours" in row) is ("differs" in row)
        assert row.get("ours", not row["expected"]) is not row["expected"]
