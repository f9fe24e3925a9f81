"""Fuzz the parsers under the scanners, the decoder, CODEOWNERS and blame porcelain.

Each ends in a value or in `ParseError` (the adapters and the decoder) and never raises
anything else; CODEOWNERS and blame never raise at all: a bad line is skipped (and, for
CODEOWNERS, reported with its number).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from scanner.attribution import blame, codeowners
from scanner.decode import decode
from scanner.errors import ParseError, ReportError
from scanner.reporters.json import from_json, render
from scanner.scanners import _hcl, _json, _yaml
from tests.fuzz.strategies import TOKENS, dump, mutated_case, mutations, values

syntax_text = st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=40).map("".join)


@given(mutated_case("terraform") | syntax_text.map(lambda t: ("x.tf", t)))
def test_hcl_blocks_and_bodies(case: tuple[str, str]) -> None:
    _, text = case
    try:
        for block in _hcl.blocks(text):
            assert 1 <= block.line <= block.end_line
            assert isinstance(block.body(), dict)
    except ParseError as error:
        assert error.message.startswith("invalid HCL")


@given(mutated_case("terraform") | syntax_text.map(lambda t: ("x.tf", t)))
def test_hcl_recovery_never_raises_and_stays_inside_the_file(case: tuple[str, str]) -> None:
    # The tolerant pass runs on what python-hcl2 rejected: any text (#19).
    _, text = case
    lines = text.count("\n") + 1
    for block in _hcl.recover(text):
        assert 1 <= block.line <= block.end_line <= lines
        assert isinstance(block.body(), dict)


@given(values.map(lambda v: dump(v, "json")).flatmap(mutations) | syntax_text, st.booleans())
def test_json_parse(text: str, jsonc: bool) -> None:
    try:
        _, spans = _json.parse(text, jsonc=jsonc)
    except ParseError as error:
        assert error.message.startswith("invalid JSON: ")
        assert error.line is not None and error.line >= 1
        return
    assert spans.line(()) >= 1


@given(values.map(lambda v: dump(v, "yaml")).flatmap(mutations) | syntax_text)
@example("a: &a [*a]")  # a recursive alias is refused, not followed for ever
def test_yaml_parse(text: str) -> None:
    try:
        _yaml.parse(text)
    except ParseError as error:
        assert error.message.startswith("invalid YAML")


@given(st.binary(max_size=300) | st.text(max_size=100).map(lambda t: t.encode("utf-16")))
def test_decode(data: bytes) -> None:
    try:
        text = decode(data)
    except ParseError as error:
        assert error.message.endswith("skipped")
        return
    assert text.encode("utf-8") in (data, data[3:])  # a UTF-8 byte-order mark is dropped


owner_lines = st.lists(
    st.lists(
        st.sampled_from(["*", "/", "**", "docs/", "*.tf", "/a/**/b", "@o/t", "@u", "a@b.co", "!x",
                         "[a]", "\\#x", "#", "x#y"]) | st.text(max_size=5),
        max_size=4,
    ).map(" ".join),
    max_size=10,
).map("\n".join)  # fmt: skip


@given(owner_lines | syntax_text, st.text(max_size=20) | st.sampled_from(["a/b.tf", "docs/x"]))
def test_codeowners_parse_and_match(text: str, path: str) -> None:
    parsed = codeowners.parse(text, ".github/CODEOWNERS")
    numbers = [rule.line for rule in parsed.rules] + [p.line for p in parsed.problems]
    assert len(numbers) == len(set(numbers))
    rule = parsed.match(path)
    assert rule is None or rule in parsed.rules


SHA = "a5facd0df863b115fc92080a8c1e4f580e4c6233"
porcelain_lines = st.lists(
    st.sampled_from([f"{SHA} 1 1 1", f"{SHA} 2 2", "0" * 40 + " 3 3 1", "author A",
                     "author-mail <A@X>", "author-time 1767225600", "author-time x",
                     "author-time 99999999999999999999", "author-time -99999999999", "boundary",
                     "summary s", "filename f.tf", "previous x y", "\tcontent", "\t", ""])
    | st.text(max_size=10),
    max_size=30,
).map("\n".join)  # fmt: skip


@given(porcelain_lines)
@example(f"{SHA} 1 1 1\nauthor-time x\n\ta")  # git never writes this; a bad time is 0
@example(f"{SHA} 1 1 1\nauthor-time 99999999999999999999\n\ta")  # beyond datetime's range
def test_blame_parse(text: str) -> None:
    lines = blame.parse(text)
    for number, line in lines.items():
        assert number == line.number
        assert re.fullmatch(r"[0-9a-f]{40}", line.commit.sha)
        assert isinstance(line.commit.date, str)


REPORT = json.loads(
    (Path(__file__).parent.parent / "reporters" / "golden" / "report.json").read_text()
)


@st.composite
def edited_reports(draw: st.DrawFn) -> str:
    """The sample report with a few subtrees replaced and unknown keys added (readers of format
    version 1 must ignore fields they do not know)."""
    document = copy.deepcopy(REPORT)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        node: object = document
        for _ in range(draw(st.integers(min_value=0, max_value=6))):
            if isinstance(node, dict) and node:
                key = draw(st.sampled_from(sorted(node)))
                if not isinstance(node[key], dict | list) or draw(st.booleans()):
                    break
                node = node[key]
            elif isinstance(node, list) and node:
                node = node[draw(st.integers(min_value=0, max_value=len(node) - 1))]
            else:
                break
        if isinstance(node, dict):
            key = draw(st.sampled_from([*sorted(node), "future_field"]))
            node[key] = draw(values)
        elif isinstance(node, list):
            node.append(draw(values))
    return json.dumps(document)


@given(edited_reports() | syntax_text)
def test_report_from_json(text: str) -> None:
    try:
        report = from_json(text, "r.json")
    except ReportError as error:
        assert str(error).startswith("r.json: ")
        return
    assert from_json(render(report), "again") == report
