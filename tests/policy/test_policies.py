"""Every built-in policy is valid and its own examples behave: violating fire, compliant don't."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.policy import PREDICATES, builtin, evaluate
from scanner.policy.loader import builtin_folder, parse, parse_document, schema
from tests.policy.examples import context, subject

FILES = sorted(builtin_folder().glob("*.yaml"))
CASES = [
    (path, verdict, index)
    for path in FILES
    for verdict in ("violating", "compliant")
    for index in range(len(parse_document(path.read_text(), str(path))["examples"][verdict]))
]


@pytest.mark.parametrize(
    ("path", "verdict", "index"), CASES, ids=lambda v: v.name if isinstance(v, Path) else str(v)
)
def test_example(path: Path, verdict: str, index: int) -> None:
    policy = parse(path.read_text(), str(path))
    example = parse_document(path.read_text(), str(path))["examples"][verdict][index]
    attributed = subject(example)
    found = evaluate(
        [policy], [attributed], scope=policy.scope, context=context(example, attributed.identity.id)
    )
    assert [f.rule for f in found] == ([policy.id] if verdict == "violating" else [])


def test_builtin_ids_are_the_documented_set() -> None:
    assert [p.id for p in builtin()] == [
        "NHI001",
        "NHI002",
        "NHI003",
        "NHI004",
        "NHI005",
        "NHI006",
        "NHI007",
        "NHI101",
        "NHI102",
        "NHI103",
        "NHI104",
        "NHI105",
        "NHI110",
        "NHI111",
        "NHI112",
        "NHI113",
        "NHI114",
        "NHI115",
    ]
    assert {p.scope for p in builtin() if p.id.startswith("NHI1")} == {"org"}


def test_schema_and_predicate_table_are_equal() -> None:
    names = set(schema()["$defs"]["condition"]["properties"]) - {"all", "any", "not"}
    assert names == set(PREDICATES)


def test_every_predicate_is_used_by_a_builtin_policy_or_tested() -> None:
    used = {
        line.split(":")[0].strip(" -{")
        for path in FILES
        for line in path.read_text().splitlines()
        if line.strip().startswith("- ")
    }
    assert {"owners_empty", "provisioner_state_in", "any"} <= used
