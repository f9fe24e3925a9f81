"""Parsing only the blocks a scanner reads (#21): the file is cut at its top-level braces, and
what the cut must get right is where a brace does not count (strings, templates, heredocs,
comments). Every case is checked against the whole-file parse it replaces."""

from __future__ import annotations

import pytest

from scanner.errors import ParseError
from scanner.scanners import _hcl

READ = 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n'

CASES = {
    "a brace in a string": 'locals {\n  a = "}{"\n  b = "${var.x}}"\n}\n' + READ,
    "braces in a template": 'locals {\n  a = "%{ if var.on }{on}%{ endif }"\n}\n' + READ,
    "braces in a heredoc": "locals {\n  a = <<EOF\n}\n{{\nEOF\n}\n" + READ,
    "an indented heredoc": "locals {\n  a = <<-EOT\n    }\n    EOT\n}\n" + READ,
    "braces in comments": "# {\n// }\n/* { } } */\nlocals {\n  # }\n  a = 1 // {\n}\n" + READ,
    "blocks back to back": READ + READ.replace('"ci"', '"cd"') + 'output "o" {\n  value = 1\n}\n',
}


def _seen(blocks: list[_hcl.Block]) -> list[tuple[str, tuple[str, ...], int, int, object]]:
    return [(b.type, b.labels, b.line, b.end_line, b.body()) for b in blocks]


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cut_finds_the_blocks_the_whole_parse_finds(name: str) -> None:
    text = CASES[name]
    whole = list(_hcl.tolerant_blocks(text))
    only_users = list(
        _hcl.selected_blocks(text, lambda kind, labels: labels[:1] == ("aws_iam_user",))
    )
    assert _seen(only_users) == _seen(whole)  # unread blocks parse when their body is asked


def test_the_read_block_after_braces_in_strings_keeps_its_lines() -> None:
    text = CASES["braces in a heredoc"]
    found = [b for b in _hcl.selected_blocks(text, lambda *_: True) if b.type == "resource"]
    assert [(b.labels, b.line, b.end_line, b.body()) for b in found] == [
        (("aws_iam_user", "ci"), 7, 9, {"name": "ci"})
    ]


def test_a_block_nobody_reads_is_not_parsed_and_is_no_error() -> None:
    broken = 'resource "google_container_node_pool" "p" {\n  x = (\n    var.a\n    .b\n  )\n}\n'
    with pytest.raises(ParseError):
        list(_hcl.blocks(broken + READ))  # python-hcl2 rejects the traversal on its own line
    found = list(
        _hcl.selected_blocks(broken + READ, lambda kind, labels: labels[0] == "aws_iam_user")
    )
    assert [(b.labels, b.line) for b in found] == [
        (("google_container_node_pool", "p"), 1),
        (("aws_iam_user", "ci"), 7),
    ]
    assert found[1].body() == {"name": "ci"}
    with pytest.raises(ParseError, match="invalid HCL block"):
        found[0].body()  # asked for after all (a random_password flow): its own error


def test_anything_else_between_blocks_parses_the_whole_file_as_before() -> None:
    text = READ + "this is not HCL\n" + READ.replace('"ci"', '"cd"')
    with pytest.raises(ParseError) as whole:
        list(_hcl.tolerant_blocks(text))
    with pytest.raises(ParseError) as cut:
        list(_hcl.selected_blocks(text, lambda *_: False))
    assert cut.value.message == whole.value.message


def test_a_read_block_python_hcl2_rejects_is_reported_as_before() -> None:
    text = READ + 'resource "aws_iam_access_key" "k" {\n  user = aws_iam_user.ci\n    .name\n}\n'
    with pytest.raises(ParseError) as whole:
        list(_hcl.tolerant_blocks(text))
    with pytest.raises(ParseError) as cut:
        list(_hcl.selected_blocks(text, lambda *_: True))
    assert (cut.value.message, cut.value.line) == (whole.value.message, whole.value.line)
