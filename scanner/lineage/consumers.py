"""The workloads lineage finds are consumers too: who runs as a role, a service account or a
managed identity (`assumable_by`: an AWS service, a Kubernetes service account, GitHub's or
another OIDC subject, a GCP principal), and the identity a binding lets run as another
(`assumes`). The scanners name the consumers a file shows (a workflow job, an MCP server);
these come from the whole repository, so they are added once lineage has linked it. A subject
written as an expression (`<scheme>:unknown`) names no consumer."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from scanner.model import Attributed, Consumer, Link

# A link's subject scheme -> the consumer kind it names (`lineage.workloads`, `terraform`).
KINDS = {
    "aws-service": "aws_service",
    "k8s-sa": "kubernetes_service_account",
    "github-oidc": "github_oidc",
    "oidc": "oidc_subject",
    "gcp-principal": "gcp_principal",
}


def added(subjects: Sequence[Attributed], links: Iterable[Link]) -> tuple[Attributed, ...]:
    """`subjects`, each identity with the consumers `links` name for it after its own."""
    found: dict[str, list[Consumer]] = {}
    for link in links:
        if link.relation == "assumable_by":
            scheme, _, who = link.to.partition(":")
            kind = KINDS.get(scheme)
            if kind is not None and who and who != "unknown":
                found.setdefault(link.source, []).append(Consumer(kind=kind, ref=who))
        elif link.relation == "assumes":
            found.setdefault(link.to, []).append(Consumer(kind="identity", ref=link.source))
    result = []
    for subject in subjects:
        more = found.get(subject.identity.id)
        if more:
            consumers = tuple(dict.fromkeys((*subject.identity.consumers, *more)))
            identity = dataclasses.replace(subject.identity, consumers=consumers)
            subject = dataclasses.replace(subject, identity=identity)
        result.append(subject)
    return tuple(result)
