"""Every reporter renders the shared sample report exactly as its golden file says."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scanner import pipeline
from scanner.reporters import REPORTERS

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = {"json": "json", "text": "txt"}


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_reporter_golden(fmt: str, sample_report, golden) -> None:
    golden(GOLDEN / f"report.{EXTENSIONS.get(fmt, fmt)}", REPORTERS[fmt].render(sample_report))


def test_every_reporter_has_a_golden() -> None:
    assert {p.name for p in GOLDEN.iterdir()} == {
        f"report.{EXTENSIONS.get(fmt, fmt)}" for fmt in REPORTERS
    }


def test_json_report_matches_its_schema(sample_report) -> None:
    schema_path = Path(pipeline.__file__).parent / "schemas/report.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(REPORTERS["json"].render(sample_report))
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
