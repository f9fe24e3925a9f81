"""Waiver parsing and matching, pure: inline placement, validation messages, the waiver file."""

from __future__ import annotations

import datetime

import pytest

from scanner.errors import PolicyError
from scanner.model import Category, Finding, Identity, Severity, Waiver, WaiverStatus
from scanner.policy import baseline, waivers


def identity(name: str, line: int) -> Identity:
    return Identity(
        scanner="terraform",
        kind="aws_iam_user",
        category=Category.IDENTITY,
        name=name,
        path="iam.tf",
        line=line,
        end_line=line + 1,
        pointer=f"aws_iam_user.{name}",
        anchor_line=line,
    )


def finding(rule: str, ident: str, path: str = "iam.tf") -> Finding:
    return Finding(
        rule=rule, severity=Severity.HIGH, identity=ident, path=path, line=1, message="m"
    )


def described(results) -> list[tuple[str, str | None, str]]:
    return [
        (r.source, r.identity, "valid")
        if isinstance(r, Waiver)
        else (r.waiver.source, r.waiver.identity, f"{r.status}: {r.detail}")
        for r in results
    ]


TEXT = """\
resource "aws_iam_user" "a" {} # nhi:ignore[NHI001] owner=@al expires=2027-01-01
// nhi:ignore[NHI002] owner=al@example.com expires=2027-01-01 reason="two words"

# another comment between the waiver and the declaration
resource "aws_iam_user" "b" {}
# nhi:ignore[NHI001] owner=@al expires=2027-01-01
# nhi:ignore[NHI001] expires=2027-01-01
# nhi:ignore[NHI001] owner=al expires=2027-01-01
# nhi:ignore[NHI001] owner=@al
# nhi:ignore[NHI001] owner=@al expires=soon
# nhi:ignore[] owner=@al expires=2027-01-01
# nhi:ignore[NHI1] owner=@al expires=2027-01-01
"""


def test_inline_waivers_resolve_to_declarations_and_explain_what_is_wrong() -> None:
    found = waivers.inline("iam.tf", TEXT, [identity("a", 1), identity("b", 5)])
    assert described(found) == [
        ("iam.tf:1", "iam.tf#aws_iam_user.a", "valid"),
        ("iam.tf:2", "iam.tf#aws_iam_user.b", "valid"),
        ("iam.tf:6", None, "unused: no identity is declared on line 13"),
        ("iam.tf:7", None, "invalid: has no owner (owner=@handle or an email)"),
        ("iam.tf:8", None, "invalid: owner must be an @handle, an @org/team or an email"),
        ("iam.tf:9", None, "invalid: has no expiry (expires=YYYY-MM-DD)"),
        ("iam.tf:10", None, "invalid: expires must be a date, YYYY-MM-DD"),
        ("iam.tf:11", None, "invalid: needs rule ids such as [NHI002] (or [*])"),
        ("iam.tf:12", None, "invalid: needs rule ids such as [NHI002] (or [*])"),
    ]
    assert found[1].reason == "two words"
    assert waivers.inline("iam.tf", "no marks here", [identity("a", 1)]) == []


def test_waiver_file_entries() -> None:
    text = (
        "# comment\n"
        "waivers:\n"
        "  - {rules: [NHI001], identity: 'x.tf#a', owner: '@a', expires: 2027-01-01}\n"
        "  - {rules: [NHI001], owner: '@a', expires: 2027-01-01}\n"
        "  - just a string\n"
    )
    assert described(waivers.parse_file(text)) == [
        (".nhi-waivers.yaml:3", "x.tf#a", "valid"),
        (".nhi-waivers.yaml:4", None, "invalid: needs an identity id or a list of path globs"),
        (".nhi-waivers.yaml:5", None, "invalid: needs rule ids such as [NHI002] (or [*])"),
    ]
    assert waivers.parse_file("# empty\n") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "waivers: [",
            ".nhi-waivers.yaml: invalid YAML: expected the node content, but found "
            "'<stream end>' at line 1, column 11",
        ),
        ("- a list", ".nhi-waivers.yaml: /waivers: expected a list of waivers"),
    ],
)
def test_waiver_file_errors(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        waivers.parse_file(text)
    assert str(caught.value) == message


def test_apply_statuses() -> None:
    today = datetime.date(2027, 1, 1)
    active = Waiver(
        rules=("*",), owner="@a", expires="2027-01-01", reason="", source="w:1", identity="iam.tf#a"
    )
    expired = Waiver(
        rules=("NHI002",),
        owner="@a",
        expires="2026-12-31",
        reason="",
        source="w:2",
        paths=("*.tf",),
    )
    unused = Waiver(
        rules=("NHI003",),
        owner="@a",
        expires="2027-06-01",
        reason="",
        source="w:3",
        paths=("*.tf",),
    )
    invalid = WaiverStatus(waiver=active, status="invalid", detail="x")
    found, statuses = waivers.apply(
        [
            finding("NHI001", "iam.tf#a"),
            finding("NHI002", "iam.tf#b"),
            finding("NHI001", "other.tf#c", "other.tf"),
        ],
        [active, expired, unused, invalid],
        today,
    )
    assert [(f.rule, f.identity, f.status) for f in found] == [
        ("NHI001", "iam.tf#a", "suppressed"),
        ("NHI002", "iam.tf#b", "open"),
        ("NHI001", "other.tf#c", "open"),
    ]
    assert [(s.waiver.source, s.status) for s in statuses] == [
        ("w:1", "invalid"),
        ("w:1", "active"),
        ("w:2", "expired"),
        ("w:3", "unused"),
    ]


def test_baseline_round_trip_ignores_suppressed_and_tolerates_union_merges() -> None:
    text = baseline.render(
        [
            finding("NHI002", "b.tf#x"),
            finding("NHI001", "a b.tf#y"),
            Finding(
                rule="NHI003",
                severity=Severity.LOW,
                identity="c",
                path="c",
                line=1,
                message="m",
                status="suppressed",
            ),
        ]
    )
    assert text.splitlines()[2:] == ["NHI001 a b.tf#y", "NHI002 b.tf#x"]
    merged = text + "NHI001 z.tf#z\n\n" + text.splitlines()[2] + "\n"
    assert baseline.parse(merged) == {
        ("NHI001", "a b.tf#y"),
        ("NHI002", "b.tf#x"),
        ("NHI001", "z.tf#z"),
    }


def test_a_waiver_path_that_can_match_nothing_is_invalid_with_the_reason() -> None:
    text = (
        "waivers:\n  - rules: [NHI001]\n    owner: '@acme/sec'\n    expires: 2027-01-01\n"
        "    paths: ['{infra,legacy}/*.tf']\n"
    )
    (status,) = waivers.parse_file(text)
    assert (status.status, status.detail) == (
        "invalid",
        "paths: braces ({a,b}) are not supported: write one pattern for each",
    )
