"""The filter stage is a pure function of values: waivers, baseline entries, changed ids."""

from __future__ import annotations

import datetime

from scanner.model import Finding, Severity, Waiver, WaiverStatus
from scanner.policy.filter import apply

TODAY = datetime.date(2026, 6, 1)


def finding(identity: str, rule: str = "NHI001") -> Finding:
    return Finding(rule=rule, severity=Severity.HIGH, identity=identity, path="a.tf", line=1,
                   message="m")  # fmt: skip


WAIVER = Waiver(rules=("NHI001",), owner="@acme/sec", expires="2026-12-31", reason="r",
                source=".nhi-waivers.yaml:2", identity="a.tf#waived")  # fmt: skip


def test_waivers_then_baseline_then_diff_mode_each_decide_a_status() -> None:
    findings = [finding("a.tf#waived"), finding("a.tf#base"), finding("a.tf#old"),
                finding("a.tf#new")]  # fmt: skip
    result, statuses = apply(
        findings,
        today=TODAY,
        waivers_found=[WAIVER],
        baseline_entries=frozenset({("NHI001", "a.tf#base")}),
        changed=frozenset({"a.tf#new", "a.tf#base"}),
    )
    assert [(f.identity, f.status) for f in result] == [
        ("a.tf#waived", "suppressed"),
        ("a.tf#base", "baselined"),
        ("a.tf#old", "pre-existing"),
        ("a.tf#new", "open"),
    ]
    assert statuses == (WaiverStatus(waiver=WAIVER, status="active"),)


def test_waivers_off_and_no_diff_mode_leave_findings_open() -> None:
    result, statuses = apply([finding("a.tf#waived")], today=TODAY)
    assert [f.status for f in result] == ["open"] and statuses == ()
