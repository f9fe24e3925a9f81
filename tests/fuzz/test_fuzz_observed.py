"""Fuzz every export format: any text ends in observed values or one ObservedError naming the
file, never another exception (`nhi aggregate --observed` reads files from anywhere)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from scanner.errors import ObservedError
from scanner.observed import FORMATS, parse
from tests.fuzz.strategies import documents, mutations

HERE = Path(__file__).parent.parent / "observed"
SAMPLES = sorted(
    p.read_text(encoding="utf-8")
    for p in HERE.glob("*/*")
    if p.parent.name in FORMATS and not p.name.endswith((".expected.json", ".md"))
)
exports = st.sampled_from(SAMPLES).flatmap(mutations) | documents.map(json.dumps)


@given(exports)
def test_exports(text: str) -> None:
    try:
        _, found = parse("export.json", text)
    except ObservedError as error:
        assert str(error).startswith("export.json: ")
        return
    for item in found:
        assert item.provider in {"aws", "gcp", "entra", "github"}
        assert item.name and item.source == "export.json"
