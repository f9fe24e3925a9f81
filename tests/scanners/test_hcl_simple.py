"""The parser-free reading of plain blocks (`_hcl_simple`) gives exactly what python-hcl2 gives,
and leaves every other block to python-hcl2 (#21)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.scanners import _hcl, _hcl_simple

FIXTURES = Path(__file__).parent


def _top_blocks(text: str) -> list[str]:
    """Each top-level block's text, from its header line to its closing brace."""
    return [text[start : closing + 1] for start, _, closing in _hcl._spans(text)
            if _hcl._HEADER.fullmatch(text, start, _) is not None]  # fmt: skip


def _by_parser(source: str) -> object:
    (block,) = _hcl.blocks(source + "\n")
    return block.body()


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


FILES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".tf", ".tofu", ".hcl"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_plain_fixture_block_reads_as_python_hcl2_reads_it(path: Path) -> None:
    for source in _top_blocks(_text(path)):
        found = _hcl_simple.body(source)
        if found is not None:
            assert found == _by_parser(source), source.split("\n", 1)[0]


def test_the_fixtures_hold_plain_blocks() -> None:
    # The comparison above means something only if some blocks take the parser-free path.
    plain = [source for path in FILES for source in _top_blocks(_text(path))
             if _hcl_simple.body(source) is not None]  # fmt: skip
    assert len(plain) > 20


PLAIN = """module "iam" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"  # a comment after
  version = "5.30.0"
  count   = 1
  ratio   = 0.5
  create  = true
  keep    = false
  tags    = {}
  none    = null
  name    = var.name
  path    = "${path.module}/policy.json"
  share   = "100%"
  first   = module.users.names[0]
  type    = string
  groups  = ["admins", "developers",]
  empty   = []
  after   = [module.a.arn, "b", 1.5]
  depends_on = [
    module.network, # why
    "text",
  ]
  providers = {
    aws        = aws.east
    "aws.west" = aws.west,
    region: "eu-west-1"
  }
  // a comment line

  lifecycle {
    ignore_changes = ["tags"]
  }
  lifecycle {
    create_before_destroy = true
  }
}"""


def test_a_plain_block_reads_as_python_hcl2_reads_it() -> None:
    found = _hcl_simple.body(PLAIN)
    assert found == {
        "source": "terraform-aws-modules/iam/aws//modules/iam-user", "version": "5.30.0",
        "count": 1, "ratio": 0.5, "create": True, "keep": False, "tags": {}, "none": None,
        "name": "${var.name}", "path": "${path.module}/policy.json", "share": "100%",
        "first": "${module.users.names[0]}", "type": "string",
        "groups": ["admins", "developers"], "empty": [], "after": ["${module.a.arn}", "b", 1.5],
        "depends_on": ["${module.network}", "text"],
        "providers": {"aws": "${aws.east}", "aws.west": "${aws.west}", "region": "eu-west-1"},
        "lifecycle": [{"ignore_changes": ["tags"]}, {"create_before_destroy": True}],
    }  # fmt: skip
    assert found == _by_parser(PLAIN)
    assert _hcl_simple.body(PLAIN.replace("\n", "\r\n")) == found  # Windows line ends


@pytest.mark.parametrize(
    "line",
    [
        'name = "${upper(var.prefix)}-user"',  # a template with more than a reference
        'name = "${var.a} ${var.b == 1}"',
        'name = "say \\"hi\\""',  # an escape
        'name = "$${literal}"',
        'name = "%{if var.x}y%{endif}"',  # a directive
        "names = [var.a, upper(var.b)]",
        "names = [\n    upper(var.b),\n  ]",
        "names = [\n    [1],\n  ]",
        "tags = {\n    a = { b = 1 }\n  }",
        "tags = {\n    a.b = 1\n  }",
        "tags = {\n    a = 1\n    a = 2\n  }",  # a repeated key
        "names = [\n    1\n",  # a list never closed
        "tags = {\n    a = 1\n",
        "name = upper(var.x)",  # a function
        "count = var.enabled ? 1 : 0",  # an operator
        "count = -1",
        "size = 1e3",  # python-hcl2 keeps an exponent as an expression
        "name = foo[0]",
        "tags = { a = 1 }",
        "policy = <<EOF\n{}\nEOF",  # a heredoc
        "/* a block comment */",
        'dynamic "setting" {\n  content {}\n}',  # a nested block with a label
        "lifecycle {}",  # a nested block on one line
        'name = "a"\n  name = "b"',  # a repeated name
        "tags = []\n  tags {\n  }",  # a block with an attribute's name
        "}",  # a brace closing the block early
        "nested {",  # a nested block never closed
    ],
)
def test_anything_else_is_left_to_python_hcl2(line: str) -> None:
    assert _hcl_simple.body(f'resource "aws_iam_user" "this" {{\n  {line}\n}}') is None


@pytest.mark.parametrize(
    "source",
    [
        'module "one_line" { source = "./x" }',
        'module "brace_then_text" { source = "./x"\n}',
        'module "text_before_brace" {\n  source = "./x" }',
    ],
)
def test_a_block_not_laid_out_on_lines_of_its_own_is_left_to_python_hcl2(source: str) -> None:
    assert _hcl_simple.body(source) is None


def test_a_scan_reads_plain_and_parsed_blocks_alike() -> None:
    text = f'{PLAIN}\n\nresource "aws_iam_user" "ci" {{\n  name = "ci-${{var.env}}"\n}}\n'
    blocks = list(_hcl.selected_blocks(text, lambda kind, labels: True))
    assert [(b.type, b.labels, b.line, b.end_line) for b in blocks] == [
        ("module", ("iam",), 1, 35),
        ("resource", ("aws_iam_user", "ci"), 37, 39),
    ]
    assert blocks[0].body() == _by_parser(PLAIN)
    assert blocks[1].body() == {"name": "ci-${var.env}"}


def test_a_block_nested_past_the_limit_is_left_to_python_hcl2() -> None:
    def nested(depth: int) -> str:
        return 'resource "aws_iam_user" "d" {\n' + "a {\n" * depth + "}\n" * depth + "}"

    assert _hcl_simple.body(nested(_hcl_simple.MAX_DEPTH)) is not None
    assert _hcl_simple.body(nested(_hcl_simple.MAX_DEPTH + 1)) is None
