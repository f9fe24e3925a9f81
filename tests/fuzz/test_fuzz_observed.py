"""Fuzz every export format: any text ends in observed values or one ObservedError naming the
file, never another exception (`nhi aggregate --observed` reads files from anywhere)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from scanner.errors import ObservedError
from scanner.observed import FORMATS, parse
from tests.fuzz.strategies import documents, mutations, values


def _loads(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


HERE = Path(__file__).parent.parent / "observed"
SAMPLES = sorted(
    p.read_text(encoding="utf-8")
    for p in HERE.glob("*/*")
    if p.parent.name in FORMATS and not p.name.endswith((".expected.json", ".md"))
)
JSON_SAMPLES = [document for document in map(_loads, SAMPLES) if document is not None]


@st.composite
def swapped(draw: st.DrawFn, document: object) -> object:
    """A sample export with some of its values (at any depth) replaced by any JSON value: the
    shape a parser expects, holding what it does not."""
    if isinstance(document, dict):
        return {k: draw(values) if draw(st.integers(0, 5)) == 0 else draw(swapped(v))
                for k, v in document.items()}  # fmt: skip
    if isinstance(document, list):
        return [draw(values) if draw(st.integers(0, 5)) == 0 else draw(swapped(v))
                for v in document]  # fmt: skip
    return draw(values) if draw(st.integers(0, 3)) == 0 else document


exports = (
    st.sampled_from(SAMPLES).flatmap(mutations)
    | documents.map(json.dumps)
    | st.sampled_from(JSON_SAMPLES).flatmap(swapped).map(json.dumps)
)


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
