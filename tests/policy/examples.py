"""Turn a policy file's `examples` entries into subjects and contexts the engine can evaluate."""

from __future__ import annotations

from scanner.model import Attributed, Attribution, Category, Identity, Provisioner
from scanner.policy import Context


class DictDirectory:
    """A roster for examples: person -> state; anyone not listed is unknown."""

    def __init__(self, people: dict[str, str]) -> None:
        self.people = people

    def state(self, person: str) -> str:
        return self.people.get(person, "unknown")


def subject(example: dict) -> Attributed:
    spec = example["identity"]
    identity = Identity(
        scanner="example",
        kind=spec["kind"],
        category=Category(spec.get("category", "credential")),
        name=spec.get("name", "x"),
        path=spec.get("path", "example.tf"),
        line=1,
        end_line=1,
        pointer=f"{spec['kind']}.{spec.get('name', 'x')}",
        anchor_line=1,
        attributes=spec.get("attributes", {}),
        declared_owners=tuple(spec.get("declared_owners", ())),
    )
    attribution = example.get("attribution", {})
    provisioner = attribution.get("provisioner")
    return Attributed(
        identity=identity,
        attribution=Attribution(
            owners=tuple(attribution.get("owners", ())),
            provisioner=None
            if provisioner is None
            else Provisioner(
                name="Example",
                email=provisioner.get("email", "x@example.com"),
                commit="0" * 40,
                date="2026-01-01T00:00:00+00:00",
                uncommitted=provisioner.get("uncommitted", False),
                confidence=provisioner.get("confidence", "high"),
            ),
        ),
    )


def context(example: dict, identity_id: str) -> Context:
    return Context(
        directory=DictDirectory(example.get("people", {})),
        waiver_owners={identity_id: tuple(example.get("waiver_owners", ()))},
    )
