"""The rules page (`docs/policies.md`), generated from the policies so that every SARIF
`helpUri` points at a section that exists; a test keeps the committed page equal to this."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.model import Policy

HEADER = (
    "# nhi-scanner policies\n\n"
    "Generated from `policies/*.yaml` (`tests/policy/test_docs.py` keeps this page true). "
    "Each section is the page a SARIF rule's `helpUri` links to.\n"
)


def render(policies: Iterable[Policy]) -> str:
    """One section per policy, anchored by its lower-cased id (`#nhi001`)."""
    ordered = sorted(policies, key=lambda p: p.id)
    index = "".join(f"- [{p.id}: {p.title}](#{p.id.lower()})\n" for p in ordered)
    sections = "".join(_section(p) for p in ordered)
    return f"{HEADER}\n{index}{sections}"


def _section(policy: Policy) -> str:
    facts = [f"severity: {policy.severity.label}", f"scope: {policy.scope}"]
    if policy.owasp:
        facts.append(f"OWASP: {policy.owasp}")
    if policy.notice:
        facts.append("a notice about the scan (SARIF tool notification, never an alert)")
    return (
        f'\n<a id="{policy.id.lower()}"></a>\n\n## {policy.id}: {policy.title}\n\n'
        f"{'; '.join(facts)}\n\n{policy.description}\n"
    )
