"""Every file under tests/observed/<format>/ is a case: its golden beside it holds what the
export lists, or the one message a bad file gets. The format is detected, never named."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from scanner.errors import ObservedError
from scanner.observed import FORMATS, load, parse

HERE = Path(__file__).parent
CASES = sorted(
    p
    for p in HERE.glob("*/*")
    if p.parent.name in FORMATS and not p.name.endswith((".expected.json", ".md"))
)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_format(case: Path, golden) -> None:
    try:
        name, found = parse(case.name, case.read_text(encoding="utf-8"))
    except ObservedError as error:
        actual: object = {"error": str(error)}
    else:
        assert name == case.parent.name
        actual = [dataclasses.asdict(item) for item in found]
    golden(case.with_name(case.name + ".expected.json"), json.dumps(actual, indent=2) + "\n")


def test_every_format_has_cases() -> None:
    assert {case.parent.name for case in CASES} == set(FORMATS)


def test_unknown_file_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(ObservedError) as error:
        load(path)
    assert str(error.value) == (
        f"{path}: not an export nhi knows (expected one of: {', '.join(FORMATS)})"
    )


def test_unreadable_file_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"user,arn\xff\n")
    with pytest.raises(ObservedError, match=r"report\.csv: cannot be read \("):
        load(path)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_an_export_saved_with_a_byte_order_mark_reads_the_same(tmp_path: Path, encoding) -> None:
    """Windows PowerShell 5.1 writes UTF-16 with a BOM for `Out-File` and `>`, and UTF-8 with
    one for `-Encoding UTF8` (learn.microsoft.com, about_Character_Encoding)."""
    case = HERE / "entra-activity" / "credential_sign_ins.json"
    saved = tmp_path / case.name
    saved.write_bytes(case.read_text(encoding="utf-8").encode(encoding))
    assert saved.read_bytes()[:2] in (b"\xef\xbb", b"\xff\xfe")
    assert load(saved) == parse(str(saved), case.read_text(encoding="utf-8"))
