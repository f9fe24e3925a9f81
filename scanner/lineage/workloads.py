"""Who runs as an identity: the workloads that a role's trust policy or a binding admits.

`assumable_by` links an identity to each subject that may run as it: an AWS service
(`aws-service:lambda.amazonaws.com`, from the trust policy's `Service` principals), a
Kubernetes service account (`k8s-sa:<namespace>/<name>`: EKS IRSA trust, an EKS Pod Identity
association, a GKE Workload Identity binding, an Azure federated identity credential), a GitHub
OIDC subject, another OIDC subject (`oidc:<sub>`) or a GCP principal (`gcp-principal:<member>`).
A binding that lets a subject act as an identity `assumes` it (it gives the identity no
permissions, so it never `grants`). Pure functions over a `Graph`; an expression is never
resolved by guessing: its subject is `<scheme>:unknown`, with the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from scanner.lineage import terraform
from scanner.lineage.graph import Graph, Node
from scanner.model import JSON, Identity, Link

K8S_PREFIX = "system:serviceaccount:"
# GCP roles that let a member act as the service account they are granted on
# (cloud.google.com/iam/docs/service-account-permissions, .../workload-identity).
ACT_AS_ROLES = frozenset(["roles/iam.workloadIdentityUser", "roles/iam.serviceAccountUser",
                          "roles/iam.serviceAccountTokenCreator",
                          "roles/iam.serviceAccountOpenIdTokenCreator"])  # fmt: skip
_WORKLOAD_POOL = re.compile(
    r"serviceAccount:[^\[\]]+\.svc\.id\.goog\[(?P<ns>[^/\]]+)/(?P<sa>[^\]]+)\]"
)
_WORKLOAD_PRINCIPAL = re.compile(r"principal://iam\.googleapis\.com/projects/[^/]+/locations/"
                                 r"[^/]+/workloadIdentityPools/[^/]+\.svc\.id\.goog/subject/"
                                 r"ns/(?P<ns>[^/]+)/sa/(?P<sa>[^/]+)")  # fmt: skip
# `ec2.${data.aws_partition.current.dns_suffix}`: the service, in any partition.
_SERVICE = re.compile(r"(?P<service>[a-z0-9][a-z0-9.-]*)\.(?:amazonaws\.com(?:\.cn)?|\$\{[^{}]+\})")


def links(graph: Graph) -> Iterator[Link]:
    """Trust-policy subjects of every `aws_iam_role`, and what each binding lets run as whom."""
    for node in graph.nodes:
        identity = node.identity
        if identity is None:
            continue
        if identity.kind == "aws_iam_role":
            yield from _trusted(graph, node, identity)
        attributes = terraform.BINDINGS.get(identity.kind)
        if attributes:
            yield from _binding(graph, node, identity, attributes)


def _trusted(graph: Graph, node: Node, role: Identity) -> Iterator[Link]:
    """AWS services and federated (non-GitHub) OIDC subjects a role's trust policy admits."""
    found, _ = terraform.statements(graph, node, node.block.policies.get("assume_role_policy"))
    for statement in found:
        if statement.get("effect") != "Allow" or terraform.admits_github(graph, node, statement):
            continue
        for principal in terraform.listed(statement.get("principals")):
            kind = principal.get("type")
            if kind == "Service":
                for written in terraform.strings(principal.get("identifiers")):
                    service = _service(written)
                    if service is not None:
                        yield Link(source=role.id, to=f"aws-service:{service}",
                                   relation="assumable_by",
                                   evidence=f"trust policy admits the AWS service {service}",
                                   attributes={"service": service})  # fmt: skip
            elif kind == "Federated":
                for test, subject in _oidc_subjects(statement):
                    to, what, attributes = _federated(subject, "")
                    yield Link(source=role.id, to=to, relation="assumable_by",
                               evidence=f"trust policy admits {what} ({test})",
                               attributes={**attributes, "test": test})  # fmt: skip


def _service(written: str) -> str | None:
    """`lambda.amazonaws.com` as written, or with its partition's suffix as an expression."""
    if "${" not in written:
        return written if written.endswith((".amazonaws.com", ".amazonaws.com.cn")) else None
    found = _SERVICE.fullmatch(written)
    return f"{found['service']}.amazonaws.com" if found and "${" not in found["service"] else None


def _oidc_subjects(statement: Mapping[str, JSON]) -> Iterator[tuple[str, str]]:
    """(test, value) of every `<issuer>:sub` condition of a federated statement (the issuer
    may be an expression: `format("%s:sub", local.issuer)`)."""
    for condition in terraform.listed(statement.get("conditions")):
        if re.search(r":sub\b", str(condition.get("variable", ""))):
            for value in terraform.strings(condition.get("values")):
                yield str(condition.get("test")), value


def _binding(
    graph: Graph, node: Node, binding: Identity, attributes: tuple[str, ...]
) -> Iterator[Link]:
    """A pod identity association, federated credential or act-as binding: it `assumes` the
    identity it names, and that identity is `assumable_by` each subject it lets in."""
    role = node.block.settings.get("role")
    if binding.kind.startswith("google_") and not (isinstance(role, str) and role in ACT_AS_ROLES):
        return  # another role on a service account: neither a grant to it nor a way to run as it
    here = terraform.address_of(node)  # a folded instance speaks for its definition
    for attribute in attributes:
        for target in _targets(graph, node, attribute):
            assert target.identity is not None
            there = terraform.address_of(target)
            yield Link(source=binding.id, to=target.identity.id, relation="assumes",
                       evidence=f"{here} lets its subject run as {there} "
                       f"(`{attribute}`)")  # fmt: skip
            for to, evidence, extra in _subjects(graph, node, binding):
                yield Link(source=target.identity.id, to=to, relation="assumable_by",
                           evidence=f"{here} {evidence}",
                           attributes={**extra, "via": binding.id})  # fmt: skip


def _targets(graph: Graph, node: Node, attribute: str) -> Iterator[Node]:
    named = node.block.references.get(attribute)
    for address in named if isinstance(named, list) else []:
        target = graph.resolve(node, str(address))
        if target is not None and target.identity is not None and target is not node:
            yield target


def _subjects(
    graph: Graph, node: Node, binding: Identity
) -> Iterator[tuple[str, str, dict[str, JSON]]]:
    """(to, evidence, attributes) of each subject a binding lets in."""
    settings = node.block.settings
    if binding.kind == "aws_eks_pod_identity_association":
        namespace, account = settings.get("namespace"), settings.get("service_account")
        if isinstance(namespace, str) and isinstance(account, str):
            to, what, attributes = _k8s(f"{K8S_PREFIX}{namespace}:{account}")
            yield to, f"associates {what}", attributes
        else:
            yield "k8s-sa:unknown", "associates a Kubernetes service account whose namespace " \
                "or name is not written literally", {}  # fmt: skip
        return
    if binding.kind.startswith("google_"):
        yield from _members(graph, node)
        return
    subject = binding.attributes.get("federation_subject")
    issuer = str(binding.attributes.get("federation_issuer", ""))
    if not isinstance(subject, str):
        yield "oidc:unknown", "trusts a subject that is not written here", {}
    elif binding.kind.endswith("flexible_federated_identity_credential"):
        scheme = "github-oidc" if terraform.GITHUB_OIDC in issuer else "oidc"
        yield f"{scheme}:unknown", f"trusts subjects matching {subject}", {"expression": subject}
    else:
        to, what, attributes = _federated(subject, issuer)
        yield to, f"trusts {what}", attributes


def _federated(subject: str, issuer: str) -> tuple[str, str, dict[str, JSON]]:
    """(to, what it is in words, attributes) of one OIDC subject."""
    if K8S_PREFIX in subject:  # written, or built by an expression (`formatlist(...)`)
        return _k8s(subject)
    if terraform.GITHUB_OIDC in issuer or subject.startswith("repo:"):
        to, attributes = terraform.github_subject(subject)
        return to, f"GitHub OIDC subject {subject}", attributes
    to = "oidc:unknown" if "${" in subject else f"oidc:{subject}"
    return to, f"OIDC subject {subject}", {"subject": subject}


def _k8s(subject: str) -> tuple[str, str, dict[str, JSON]]:
    """`system:serviceaccount:<namespace>:<name>` as `k8s-sa:<namespace>/<name>`."""
    namespace, _, account = subject.removeprefix(K8S_PREFIX).partition(":")
    if "${" in subject or not subject.startswith(K8S_PREFIX) or not namespace or not account:
        return "k8s-sa:unknown", f"the Kubernetes service account {subject}", {"subject": subject}
    what = f"the Kubernetes service account {namespace}/{account}"
    return f"k8s-sa:{namespace}/{account}", what, {"namespace": namespace,
                                                   "service_account": account}  # fmt: skip


def _members(graph: Graph, node: Node) -> Iterator[tuple[str, str, dict[str, JSON]]]:
    """The members a GCP act-as binding names: written, or service accounts it references."""
    role = str(node.block.settings.get("role"))
    found = False
    for key in ("member", "members"):
        written = node.block.settings.get(key)
        for member in [written] if isinstance(written, str) else terraform.strings(written):
            found = True
            yield _member(member, role)
        for target in _targets(graph, node, key):
            assert target.identity is not None
            found = True
            there = terraform.address_of(target)
            yield target.identity.id, f"lets {there} act as it ({role})", {"role": role}
    if not found:
        scheme = "k8s-sa" if role == "roles/iam.workloadIdentityUser" else "gcp-principal"
        yield f"{scheme}:unknown", f"lets members not written here act as it ({role})", \
            {"role": role}  # fmt: skip


def _member(member: str, role: str) -> tuple[str, str, dict[str, JSON]]:
    match = _WORKLOAD_POOL.fullmatch(member) or _WORKLOAD_PRINCIPAL.fullmatch(member)
    if match is not None:
        namespace, account = match["ns"], match["sa"]
        return (f"k8s-sa:{namespace}/{account}",
                f"lets the Kubernetes service account {namespace}/{account} act as it ({role})",
                {"namespace": namespace, "service_account": account, "role": role})  # fmt: skip
    return f"gcp-principal:{member}", f"lets {member} act as it ({role})", {"role": role}
