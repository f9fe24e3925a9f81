"""Module-instance expansion on blocks the Terraform scanner yields: which instances are
reported, which are folded into their definition, and how arguments are read (#19)."""

from __future__ import annotations

import pytest

from scanner.model import Identity, TerraformBlock
from scanner.pipeline.modules import expand
from scanner.scanners import terraform
from scanner.scanners.terraform.expressions import forwarded, variables

MODULE = """
resource "aws_iam_user" "this" {
  name = var.name
}

resource "aws_iam_user" "empty" {}

data "aws_iam_policy_document" "doc" {
  statement {
    actions = ["s3:GetObject"]
  }
}
"""


def _expand(files: dict[str, str]):
    facts = [fact for path, text in files.items() for fact in terraform.scan(path, text)]
    identities = [f for f in facts if isinstance(f, Identity)]
    blocks = [f for f in facts if isinstance(f, TerraformBlock)]
    return expand(identities, blocks)


def _reported(graph) -> list[tuple[str, object, object]]:
    return sorted((i.id, i.attributes.get("changed_by"), i.attributes.get("instances"))
                  for i in graph.identities)  # fmt: skip


def test_a_for_each_of_the_calls_own_is_a_change_where_an_argument_varies_with_it() -> None:
    graph = _expand({
        "m/main.tf": MODULE,
        "main.tf": 'module "many" {\n  source   = "./m"\n  for_each = toset(["a", "b"])\n'
                   '  name     = each.key\n}\n'
                   'module "switched" {\n  source   = "./m"\n  for_each = toset(["a"])\n}\n',
    })  # fmt: skip
    assert _reported(graph) == [
        ("m/main.tf#aws_iam_user.empty", None,
         ["main.tf:1 module.many", "main.tf:6 module.switched"]),
        ("m/main.tf#aws_iam_user.this", None, ["main.tf:6 module.switched"]),
        ("main.tf#module.many.aws_iam_user.this", ["for_each"], None),
    ]  # fmt: skip
    # A folded node stands for its definition; a block with no identity is placed all the same.
    assert sorted((n.block.address, n.identity.id if n.identity else None, n.folded,
                   n.digest is None) for n in graph.nodes if n.prefix) == [
        ("module.many.aws_iam_user.empty", "m/main.tf#aws_iam_user.empty", True, True),
        ("module.many.aws_iam_user.this", "main.tf#module.many.aws_iam_user.this", False, False),
        ("module.many.data.aws_iam_policy_document.doc", None, False, False),
        ("module.switched.aws_iam_user.empty", "m/main.tf#aws_iam_user.empty", True, True),
        ("module.switched.aws_iam_user.this", "m/main.tf#aws_iam_user.this", True, True),
        ("module.switched.data.aws_iam_policy_document.doc", None, False, False),
    ]  # fmt: skip


def test_references_that_loop_are_followed_once() -> None:
    module = ('resource "aws_iam_user" "a" {\n  name = aws_iam_user.b.name\n}\n'
              'resource "aws_iam_user" "b" {\n  name = aws_iam_user.a.name\n'
              '  path = var.p\n}\n')  # fmt: skip
    call = 'module "x" {\n  source = "./m"\n  p      = "/ci/"\n}\n'
    graph = _expand({"m/main.tf": module, "main.tf": call})
    assert [i.id for i in graph.identities if "defined_at" not in i.attributes] == [
        "m/main.tf#aws_iam_user.a",
        "m/main.tf#aws_iam_user.b",
    ]
    assert all("instances" in i.attributes for i in graph.identities)  # `path` names nothing


@pytest.mark.parametrize(
    ("value", "names", "forward"),
    [
        ("${var.name}", ["name"], True),
        ('${try(each.value.name, var.defaults.name, "")}', ["defaults"], True),
        ('${each.value["name"]}', [], True),
        ("${var.create ? 1 : 0}", ["create"], True),
        (None, [], True),
        (["${var.a}", "${var.b}"], ["a", "b"], True),
        (["${var.a}", "b"], ["a"], False),
        ({"key": "${var.x}"}, ["x"], False),  # a map's keys are values of the call's own
        ("${var.prefix}-ci", ["prefix"], False),
        ("${var.a}-${var.b}", ["a", "b"], False),
        ('${try(each.value.x, var.defaults.x, "SSH")}', ["defaults"], False),
        ("${local.name}", [], False),
        ("${aws_iam_user.x.name}", [], False),
        ("ci", [], False),
        (True, [], False),
        ("${var.open", ["open"], False),
    ],
)
def test_arguments_passed_on_or_holding_a_value(value, names, forward) -> None:
    assert (list(variables(value)), forwarded(value)) == (names, forward)


def test_a_call_of_a_module_that_already_changed_the_identity_is_folded_into_that_instance():
    graph = _expand({
        "m/main.tf": 'resource "aws_iam_user" "this" {\n  name = var.name\n}\n',
        "mid/main.tf": 'module "inner" {\n  source = "../m"\n  name   = "ci"\n}\n',
        "main.tf": 'module "mid" {\n  source = "./mid"\n}\n',
    })  # fmt: skip
    assert _reported(graph) == [
        ("m/main.tf#aws_iam_user.this", None, None),
        ("mid/main.tf#module.inner.aws_iam_user.this", ["name"],
         ["main.tf:1 module.mid.module.inner"]),
    ]  # fmt: skip
    outer = next(n for n in graph.nodes if n.prefix == "module.mid.module.inner.")
    assert (outer.folded, outer.identity.id) == (True, "mid/main.tf#module.inner.aws_iam_user.this")
