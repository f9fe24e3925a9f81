"""Links between repositories, gathered one report at a time by the aggregator."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from scanner.lineage import terraform
from scanner.lineage.links import order
from scanner.model import Link, Report


def across(reports: Iterable[Report]) -> tuple[Link, ...]:
    """Links between repositories: a workflow secret created by another repository's Terraform.

    `source` is an id in the consuming report (`attributes.from_repository`); `to` is an id in
    the creating report, `attributes.to_repository` (the aggregator sees both reports).
    """
    index = Across()
    for report in reports:
        index.add(report)
    return index.links()


class Across:
    """What `across` needs from each report, gathered one report at a time (the aggregator
    streams thousands of reports and keeps none of them)."""

    def __init__(self) -> None:
        # (creating repository, identity id, secret name, repository it is written to, address)
        self.creators: list[tuple[str, str, str, str, str]] = []
        # repository -> upper-cased secret name -> [(workflow_secret id, its name)]
        self.secrets: dict[str, dict[str, list[tuple[str, str]]]] = {}
        # each report's own links, tagged with its repository (the inventory keeps them)
        self.within: list[Link] = []

    def add(self, report: Report) -> None:
        repo = report.repository.name
        self.within.extend(
            dataclasses.replace(link, attributes={**link.attributes, "from_repository": repo})
            for link in report.links
        )
        for subject in report.subjects:
            identity = subject.identity
            name, target = (
                identity.attributes.get("secret_name"),
                identity.attributes.get("repository"),
            )
            if isinstance(name, str) and isinstance(target, str):
                address = str(identity.attributes.get("address"))
                self.creators.append((repo, identity.id, name, target, address))
            if identity.kind == "workflow_secret":
                by_name = self.secrets.setdefault(repo, {})
                by_name.setdefault(identity.name.upper(), []).append((identity.id, identity.name))

    def links(self) -> tuple[Link, ...]:
        found: list[Link] = []
        for creator, created, name, target, address in self.creators:
            for consumer, by_name in self.secrets.items():
                if consumer == creator or not terraform.same_repository(target, consumer):
                    continue
                found.extend(
                    Link(source=source, to=created, relation="consumes",
                         evidence=f"secrets.{secret} is created by {address} in {creator}",
                         attributes={"to_repository": creator, "from_repository": consumer})
                    for source, secret in by_name.get(name.upper(), ())
                )  # fmt: skip
        return tuple(sorted(set(found), key=order))
