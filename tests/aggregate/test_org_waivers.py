"""Organisation-scope waivers (#24): a `.nhi-waivers.yaml` entry for NHI101 (and NHI001 as the
organisation sees it) is honoured by the aggregator when it has not expired, expires within
the policy's `max_days` and has an active owner; otherwise it is reported, not honoured."""

from __future__ import annotations

import json
from pathlib import Path

from tests.aggregate.test_review_loop import GitRepo, aggregate, ident, org, scan

__all__ = ["org"]  # the fixture

WAIVERS = """\
waivers:
  - {rules: [NHI001, NHI101], identity: "keep.tf#aws_iam_access_key.keep", owner: "@dave-d",
     expires: 2027-06-01, reason: "backup key until the vault migration"}
  - {rules: [NHI001, NHI101], identity: "move.tf#aws_iam_access_key.move", owner: "@alice-a",
     expires: 2027-06-01, reason: "hers"}
  - {rules: ["*"], paths: ["drop.tf"], owner: "@acme/platform", expires: 2028-06-01,
     reason: "forever"}
  - {rules: [NHI101], identity: "adopt.tf#aws_iam_access_key.adopt", owner: "@dave-d",
     expires: 2026-10-01, reason: "was"}
"""


def test_org_rules_are_waived_with_owner_and_expiry_limits(org: Path, capsys) -> None:
    repo = GitRepo(org / "infra")
    repo.write(".nhi-waivers.yaml", WAIVERS)
    repo.commit("waivers", author="Dave <dave@acme.example>", date="2026-10-01T09:00:00Z")
    scan(org)
    code, out = aggregate(org, capsys, "2026-11-03")
    result = json.loads(out)
    assert code == 1
    assert [(i["identity"], i["state"]) for i in result["identities"]] == [
        (ident("adopt"), "orphaned"),
        (ident("drop"), "orphaned"),
        (ident("keep"), "owned"),  # waived by Dave, who is here, for seven months
        (ident("move"), "orphaned"),
    ]
    assert result["review"]["waivers"] == [
        "acme/infra: .nhi-waivers.yaml:8: NHI101 on adopt.tf#aws_iam_access_key.adopt: expired "
        "on 2026-10-01; not honoured",
        "acme/infra: .nhi-waivers.yaml:6: NHI001 on drop.tf#aws_iam_access_key.drop: expires "
        "2028-06-01, more than 365 days away (max_days); not honoured",
        "acme/infra: .nhi-waivers.yaml:6: NHI101 on drop.tf#aws_iam_access_key.drop: expires "
        "2028-06-01, more than 365 days away (max_days); not honoured",
        "acme/infra: .nhi-waivers.yaml:4: NHI001 on move.tf#aws_iam_access_key.move: its owner "
        "@alice-a is departed: it needs an active owner; not honoured",
        "acme/infra: .nhi-waivers.yaml:4: NHI101 on move.tf#aws_iam_access_key.move: its owner "
        "@alice-a is departed: it needs an active owner; not honoured",
    ]
    _, text = aggregate(org, capsys, "2026-11-03", fmt="text")
    assert "waiver: acme/infra: .nhi-waivers.yaml:8: NHI101 on adopt.tf#aws_iam_access_key" \
        ".adopt: expired on 2026-10-01; not honoured\n" in text  # fmt: skip
