"""Evaluate policies against attributed identities: policies x subjects -> findings. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.model import Attributed, Condition, Finding, Policy
from scanner.policy.predicates import PREDICATES, Context


def evaluate(
    policies: Iterable[Policy],
    subjects: Iterable[Attributed],
    *,
    scope: str = "repo",
    context: Context | None = None,
) -> tuple[Finding, ...]:
    """Every (policy, subject) pair whose conditions all hold, sorted by path, line, rule."""
    context = context or Context()
    chosen = [policy for policy in policies if policy.scope == scope]
    findings = [
        Finding(
            rule=policy.id,
            severity=policy.severity,
            identity=subject.identity.id,
            path=subject.identity.path,
            line=subject.identity.line,
            message=message(policy, subject),
        )
        for subject in subjects
        for policy in chosen
        if applies(policy, subject) and all(holds(c, subject, context) for c in policy.when)
    ]
    return tuple(sorted(findings, key=lambda f: (f.path, f.line, f.rule, f.identity)))


def applies(policy: Policy, subject: Attributed) -> bool:
    identity = subject.identity
    return (not policy.kinds or identity.kind in policy.kinds) and (
        not policy.categories or identity.category.value in policy.categories
    )


def holds(condition: Condition, subject: Attributed, context: Context) -> bool:
    if condition.predicate == "all":
        return all(holds(child, subject, context) for child in condition.children)
    if condition.predicate == "any":
        return any(holds(child, subject, context) for child in condition.children)
    if condition.predicate == "not":
        return not holds(condition.children[0], subject, context)
    return PREDICATES[condition.predicate](subject, condition.args, context)


def message(policy: Policy, subject: Attributed) -> str:
    """The policy's template filled from the fixed placeholder set (loader.PLACEHOLDERS)."""
    identity, attribution = subject.identity, subject.attribution
    provisioner = attribution.provisioner
    return policy.message.format(
        id=identity.id,
        rule=policy.id,
        kind=identity.kind,
        category=identity.category.value,
        name=identity.name,
        path=identity.path,
        line=identity.line,
        owners=", ".join(attribution.owners) or "nobody",
        declared_owners=", ".join(identity.declared_owners) or "none",
        provisioner=provisioner.email if provisioner else "unknown",
    )
