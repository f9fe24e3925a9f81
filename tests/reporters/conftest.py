"""One shared sample report that every reporter renders (pip-audit's habit)."""

from __future__ import annotations

import pytest

from scanner.model import (
    Attributed,
    Attribution,
    Category,
    Consumer,
    Finding,
    Identity,
    Link,
    ModuleCall,
    Provisioner,
    Reach,
    Report,
    Repository,
    ScanError,
    Severity,
    Waiver,
    WaiverStatus,
)
from scanner.policy import builtin


def _identity(**overrides) -> Identity:
    fields = {
        "scanner": "terraform",
        "kind": "aws_iam_access_key",
        "category": Category.CREDENTIAL,
        "name": "ci",
        "path": "infra/iam.tf",
        "line": 9,
        "end_line": 11,
        "pointer": "aws_iam_access_key.ci",
        "anchor_line": 9,
        "attributes": {"address": "aws_iam_access_key.ci", "provider": "aws", "long_lived": True},
    }
    return Identity(**{**fields, **overrides})


@pytest.fixture
def sample_report() -> Report:
    key = _identity()
    secret = _identity(
        scanner="workflows",
        kind="workflow_secret",
        name="DEPLOY_TOKEN",
        path=".github/workflows/deploy.yml",
        line=14,
        end_line=14,
        pointer="secrets/DEPLOY_TOKEN",
        anchor_line=14,
        attributes={"jobs": ["deploy"]},
        consumers=(Consumer(kind="workflow_job", ref=".github/workflows/deploy.yml#deploy"),),
    )
    odd = _identity(
        kind="aws_iam_user",
        category=Category.IDENTITY,
        name="weird\nname%,:",
        path="a%b,c:d.tf",
        line=1,
        end_line=3,
        pointer="aws_iam_user.weird",
        anchor_line=1,
        attributes={},
        declared_owners=("team-payments@example.com",),
    )
    provisioner = Provisioner(
        name="Alice Example",
        email="alice@example.com",
        commit="a" * 40,
        date="2026-01-02T03:04:05+00:00",
        uncommitted=False,
        confidence="high",
        evidence=("introduced by aaaaaaa",),
        co_authors=("Bob <bob@example.com>",),
    )
    waiver = Waiver(
        rules=("NHI002",),
        owner="@alice",
        expires="2027-03-01",
        reason="moving to OIDC",
        source="infra/iam.tf:8",
        identity=key.id,
    )
    expired = Waiver(
        rules=("*",),
        owner="bob@example.com",
        expires="2025-01-01",
        reason="",
        source=".nhi-waivers.yaml:3",
        paths=("legacy/**",),
    )
    return Report(
        tool_version="0.1.0",
        repository=Repository(name="acme/infra", commit="b" * 40, shallow=False),
        subjects=(
            Attributed(identity=odd, attribution=Attribution()),
            Attributed(
                identity=secret,
                attribution=Attribution(owners=("@acme/ci",), owners_source=".github/CODEOWNERS:3"),
            ),
            Attributed(identity=key, attribution=Attribution(provisioner=provisioner)),
        ),
        modules=(
            ModuleCall(path="infra/main.tf", line=4, name="roles", source="./roles", version=None),
        ),
        findings=(
            Finding(
                rule="NHI001",
                severity=Severity.HIGH,
                identity=key.id,
                path=key.path,
                line=key.line,
                message="aws_iam_access_key ci has no accountable owner",
            ),
            Finding(
                rule="NHI002",
                severity=Severity.MEDIUM,
                identity=key.id,
                path=key.path,
                line=key.line,
                message="aws_iam_access_key ci is long-lived",
                status="suppressed",
                waiver=waiver,
            ),
            Finding(
                rule="NHI001",
                severity=Severity.HIGH,
                identity=odd.id,
                path=odd.path,
                line=odd.line,
                message="weird has no owner",
                status="baselined",
            ),
        ),
        waivers=(
            WaiverStatus(waiver=waiver, status="active"),
            WaiverStatus(
                waiver=expired,
                status="expired",
                detail="expired on 2025-01-01; it no longer suppresses",
            ),
        ),
        policies=tuple(p for p in builtin() if p.id in ("NHI001", "NHI002")),
        errors=(
            ScanError(path="infra/broken.tf", line=7, message="invalid HCL: unexpected token"),
            ScanError(path="blob.tf", line=None, message="binary file (contains NUL bytes)"),
        ),
        links=(
            Link(source=secret.id, to=key.id, relation="consumes",
                 evidence="secrets.DEPLOY_TOKEN is created by github_actions_secret.deploy"),
            Link(source=key.id, to=odd.id, relation="belongs_to",
                 evidence="aws_iam_access_key.ci names aws_iam_user.weird in `user`"),
            Link(source=odd.id, to="github-oidc:repo:acme/app:ref:refs/heads/main",
                 relation="assumable_by", evidence="trust policy admits GitHub OIDC subject",
                 attributes={"repository": "acme/app"}),
        ),
        reach=(
            Reach(identity=odd.id, admin=False, services=("s3",), actions=("sqs:SendMessage",),
                  resources=("aws_s3_bucket.site.arn/*",), unknown=("x: var.key_arn",)),
        ),
    )  # fmt: skip
