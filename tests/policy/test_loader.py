"""Broken policy files: each gives one exact message naming the file, the JSON path and why."""

from __future__ import annotations

import pytest

from scanner.errors import PolicyError
from scanner.model import Severity
from scanner.policy.loader import combine, load_paths, parse

VALID = """\
id: NHI900
title: Test policy
severity: low
scope: repo
when:
  - kind_in: {kinds: [aws_iam_user]}
message: "{kind} {name}"
description: A test.
examples:
  violating: [{identity: {kind: aws_iam_user}}]
  compliant: [{identity: {kind: aws_iam_role}}]
"""


def test_valid_policy_parses() -> None:
    policy = parse(VALID, "custom.yaml")
    assert (policy.id, policy.severity, policy.scope, policy.source) == (
        "NHI900",
        Severity.LOW,
        "repo",
        "custom.yaml",
    )
    assert [c.predicate for c in policy.when] == ["kind_in"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            VALID.replace("kind_in:", "kind_inn:"),
            "p.yaml: /when/0: unknown key ('kind_inn' was unexpected)",
        ),
        (
            VALID.replace("severity: low", "severity: urgent"),
            "p.yaml: /severity: 'urgent' is not one of "
            "['critical', 'high', 'medium', 'low', 'info']",
        ),
        (VALID.replace("id: NHI900", "id: X1"), "p.yaml: /id: 'X1' does not match '^NHI[0-9]{3}$'"),
        (
            VALID.replace("  compliant: [{identity: {kind: aws_iam_role}}]\n", ""),
            "p.yaml: /examples: 'compliant' is a required property",
        ),
        (
            VALID.replace("{kinds: [aws_iam_user]}", "{kinds: []}"),
            "p.yaml: /when/0/kind_in/kinds: [] should be non-empty",
        ),
        (
            VALID.replace(
                "- kind_in: {kinds: [aws_iam_user]}",
                "- attribute_matches: {name: a, pattern: '(['}",
            ),
            "p.yaml: /when/0/attribute_matches/pattern: '([' is not a 'regex'",
        ),
        (  # valid for ECMA-262 (what jsonschema-rs checks), not for Python's re
            VALID.replace(
                "- kind_in: {kinds: [aws_iam_user]}",
                "- attribute_matches: {name: a, pattern: '\\p{L}'}",
            ),
            "p.yaml: /when/0/attribute_matches/pattern: '\\\\p{L}' is not a 'regex'",
        ),
        (
            VALID.replace('"{kind} {name}"', '"{kind} {secret}"'),
            "p.yaml: /message: unknown placeholder {secret}; allowed: category, declared_owners, "
            "id, kind, line, name, owners, path, provisioner, rule",
        ),
        (
            VALID.replace('"{kind} {name}"', '"{kind"'),
            "p.yaml: /message: expected '}' before end of string",
        ),
        ("id: [unclosed", "p.yaml: not valid YAML at line 1"),
        ("- just a list", "p.yaml: /: ['just a list'] is not of type 'object'"),
    ],
)
def test_broken_policies(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse(text, "p.yaml")
    assert str(caught.value) == message


def test_file_name_must_match_the_id() -> None:
    with pytest.raises(PolicyError) as caught:
        parse(VALID, "policies/NHI901-test-policy.yaml")
    assert (
        str(caught.value)
        == "policies/NHI901-test-policy.yaml: /id: NHI900 does not match the file name"
    )


def test_custom_policies_add_and_override(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yml").write_text(VALID.replace("NHI900", "NHI001").replace("low", "info"))
    (tmp_path / "notes.txt").write_text("ignored")
    custom = load_paths([tmp_path])
    base = (parse(VALID.replace("NHI900", "NHI001"), "base.yaml"),)
    merged = combine(base, custom)
    assert [(p.id, p.severity) for p in merged] == [
        ("NHI001", Severity.INFO),
        ("NHI900", Severity.LOW),
    ]


def test_unreadable_policy_file(tmp_path) -> None:
    with pytest.raises(PolicyError, match=r"missing.yaml: cannot be read"):
        load_paths([tmp_path / "missing.yaml"])
