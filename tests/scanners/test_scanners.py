"""Every file under tests/scanners/<scanner>/ is a case; its golden sits beside it.

A case's path relative to its scanner folder is the path the scanner sees, so a case can live
at `mcp/.cursor/mcp.json`. Goldens are `<case>.expected.json`: the facts the scanner yields,
or the ParseError it raises (decoding included) with any facts yielded before it. Run
`pytest --update-goldens` to rewrite them, then review the diff.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from scanner.decode import decode
from scanner.errors import ParseError
from scanner.scanners import SCANNERS, for_path

HERE = Path(__file__).parent
CASES = sorted(
    p
    for p in HERE.glob("*/**/*")
    if p.is_file()
    and not p.name.endswith(".expected.json")
    and p.parent != HERE
    and "__pycache__" not in p.parts  # bytecode of this folder's tests, where Python writes it
)


def _scanner_and_path(case: Path) -> tuple[str, str]:
    name = case.relative_to(HERE).parts[0]
    return name, case.relative_to(HERE / name).as_posix()


# A Terraform block's module inputs (#19) are shown only when it has some: most blocks read no
# variable and are no module call, and the goldens stay about what each case is for.
_SHOWN_WHEN_SET = ("inputs", "values")


def _fields(fact: object) -> dict:
    fields = dataclasses.asdict(fact)  # type: ignore[call-overload]
    return {k: v for k, v in fields.items() if v or k not in _SHOWN_WHEN_SET}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.relative_to(HERE).as_posix())
def test_scanner(case: Path, golden) -> None:
    name, path = _scanner_and_path(case)
    assert for_path(path) == name, f"{path} is not routed to the {name} scanner"
    facts: list[dict] = []
    try:
        text = decode(case.read_bytes())
        # One at a time, so the facts yielded before a ParseError are kept.
        for fact in SCANNERS[name].scan(path, text):
            facts.append({"type": type(fact).__name__, **_fields(fact)})  # noqa: PERF401
        actual: object = facts
    except ParseError as error:
        # Facts yielded before the error are kept by the pipeline, so the golden keeps them.
        actual = {"error": error.message, "line": error.line}
        if facts:
            actual = {"facts": facts, **actual}
    golden(case.with_name(case.name + ".expected.json"), json.dumps(actual, indent=2) + "\n")


def test_every_scanner_has_cases() -> None:
    assert {_scanner_and_path(case)[0] for case in CASES} == set(SCANNERS)
