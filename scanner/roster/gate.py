"""People in the pull-request gate: `nhi scan --roster FILE [--teams FILE]` (#23).

With the organisation's people at hand, a repository scan also judges the one org rule a pull
request can break on its own: every accountable owner of an identity has left (NHI102). A
change that makes a departed person (or a dissolved team) the owner of a credential is then
blocked before it merges, instead of being found by the next `nhi aggregate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner.model import Attributed, Finding, Policy
from scanner.policy import Context, Directory, evaluate

GATE_RULES = frozenset({"NHI102"})


def with_people(
    findings: Sequence[Finding],
    policies: Iterable[Policy],
    subjects: Sequence[Attributed],
    directory: Directory,
) -> tuple[Finding, ...]:
    """`findings` plus the gate rules' findings, in the engine's order."""
    chosen = [p for p in policies if p.id in GATE_RULES]
    found = evaluate(chosen, subjects, scope="org", context=Context(directory=directory))
    return tuple(sorted((*findings, *found), key=lambda f: (f.path, f.line, f.rule, f.identity)))
