"""The position-aware JSON(C) and YAML adapters: exact spans, and exact errors for bad input."""

from __future__ import annotations

import pytest

from scanner.errors import ParseError
from scanner.scanners import _json, _yaml

DOCUMENT = """{
  "a": {
    "b": [1, 2.5, -3e2],
    "c": "x\\"y"
  },
  "d": [
    {"e": true},
    null
  ],
  "f": false
}
"""


def test_json_values_and_spans() -> None:
    value, spans = _json.parse(DOCUMENT)
    assert value == {"a": {"b": [1, 2.5, -300.0], "c": 'x"y'}, "d": [{"e": True}, None], "f": False}
    assert (spans[()].line, spans[()].end_line) == (1, 11)
    assert (spans[("a",)].line, spans[("a",)].end_line) == (2, 5)
    assert spans.line(("a", "b", 2)) == 3
    assert (spans[("d",)].line, spans[("d",)].end_line) == (6, 9)
    assert spans.line(("d", 0, "e")) == 7
    assert spans.line(("f",)) == 10


def test_jsonc_comments_and_trailing_commas() -> None:
    text = '// c\n{\n  /* block\n */ "a": [1, 2,], // tail\n  "b": {},\n}\n'
    value, spans = _json.parse(text, jsonc=True)
    assert value == {"a": [1, 2], "b": {}}
    assert (spans.line(("a",)), spans.line(("b",))) == (4, 5)


@pytest.mark.parametrize(
    ("text", "jsonc", "message", "line"),
    [
        ('{"a": 1,}', False, "invalid JSON: trailing comma", 1),
        ("[1, 2,]", False, "invalid JSON: trailing comma", 1),
        ('{\n"a" 1}', False, "invalid JSON: expected ':' after a key", 2),
        ("{a: 1}", False, "invalid JSON: expected a string key", 1),
        ('{"a": 1 "b": 2}', False, "invalid JSON: expected ',' or '}'", 1),
        ("[1 2]", False, "invalid JSON: expected ',' or ']'", 1),
        ('"abc', False, "invalid JSON: unterminated string or control character in string", 1),
        ('"\\q"', False, "invalid JSON: invalid escape in string", 1),
        ("{} {}", False, "invalid JSON: unexpected content after the document", 1),
        ("", False, "invalid JSON: expected a value", 1),
        ("// x\n{}", False, "invalid JSON: expected a value", 1),
        ("{} /* open", True, "invalid JSON: unterminated comment", 1),
        ("[" * 300, False, "invalid JSON: nested deeper than 200 levels", 1),
        ('{"token": sk-live-abc}', False, "invalid JSON: expected a value", 1),
    ],
)
def test_json_errors(text: str, jsonc: bool, message: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        _json.parse(text, jsonc=jsonc)
    assert (caught.value.message, caught.value.line) == (message, line)


def test_yaml_values_spans_and_yaml11_keys() -> None:
    text = (
        "on:\n  push:\nbase: &b\n  k: 1\njob:\n  <<: *b\n  when: 2026-01-01\n"
        "  flag: yes\n  list:\n    - a\n    - {x: 1,\n       y: 2}\n"
    )
    value, spans = _yaml.parse(text)
    assert value == {
        "on": {"push": None},
        "base": {"k": 1},
        "job": {"k": 1, "when": "2026-01-01", "flag": True, "list": ["a", {"x": 1, "y": 2}]},
    }
    assert (spans[("job",)].line, spans[("job",)].end_line) == (5, 12)
    assert (spans[("job", "list", 1)].line, spans[("job", "list", 1)].end_line) == (11, 12)
    assert spans.line(("job", "flag")) == 8
    assert spans.line(("job", "k")) == 4  # merged in: where the anchor wrote it


def test_yaml_merged_keys_have_the_anchors_lines() -> None:
    # A workflow env merged from another job's (GitHub refuses `<<`, other YAML readers take
    # it): a secret it brings in is located where it is written, and a scan never breaks on it.
    text = (
        "jobs:\n  a:\n    env: &env\n      TOKEN: ${{ secrets.TOKEN }}\n      NESTED:\n"
        "        - x\n  b:\n    env:\n      <<: [*env, {OTHER: 1}]\n      OWN: 2\n"
    )
    value, spans = _yaml.parse(text)
    assert value["jobs"]["b"]["env"] == {  # type: ignore[index,call-overload]
        "OWN": 2, "TOKEN": "${{ secrets.TOKEN }}", "NESTED": ["x"], "OTHER": 1}  # fmt: skip
    assert [spans.line(("jobs", "b", "env", key)) for key in ("TOKEN", "OTHER", "OWN")] == [
        4, 9, 10]  # fmt: skip
    assert spans.line(("jobs", "b", "env", "NESTED", 0)) == 6


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            "a: [",
            "invalid YAML: expected the node content, but found '<stream end>' at line 1, column 5",
            1,
        ),
        (
            "a:\n\tb: 1",
            "invalid YAML: found character '...' that cannot start any token at line 2, column 1",
            2,
        ),
        (
            "a: 1\n---\nb: 2",
            "invalid YAML: expected a single document in the stream "
            "but found another document at line 2, column 1",
            2,
        ),
        ("[" * 300 + "]" * 300, "invalid YAML: nested deeper than 200 levels", 1),
        ("- " * 300 + "x", "invalid YAML: nested deeper than 200 levels", 1),
        ("a: *nope", "invalid YAML: found undefined alias '...' at line 1, column 4", 1),
    ],
)
def test_yaml_errors(text: str, message: str, line: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        _yaml.parse(text)
    assert (caught.value.message, caught.value.line) == (message, line)


def test_yaml_alias_bomb_is_refused() -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(ParseError) as caught:
        _yaml.parse("\n".join(rows))
    assert caught.value.message == "invalid YAML: more than 100000 values (alias expansion?)"


def test_yaml_empty_document() -> None:
    value, _ = _yaml.parse("# nothing\n")
    assert value is None
