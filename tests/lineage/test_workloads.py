"""Who runs as an identity (`lineage.workloads`) never breaks on a shape it does not expect: a
trust policy, a binding's settings or a federated credential's subject written in a way the
scanner did not normalise is skipped (or an `unknown` subject), never an exception."""

from __future__ import annotations

import pytest

from scanner.lineage import workloads
from scanner.lineage.graph import Graph, Node
from scanner.lineage.view import _consumers
from scanner.model import JSON, Attributed, Attribution, Category, Identity, Link, TerraformBlock


def _node(kind: str, name: str, category: Category, **block: JSON) -> Node:
    address = f"{kind}.{name}"
    identity = Identity(scanner="terraform", kind=kind, category=category, name=name,
                        path="main.tf", line=1, end_line=2, pointer=address, anchor_line=1,
                        attributes=block.pop("attributes", None) or {})  # type: ignore[arg-type]  # fmt: skip
    facts = TerraformBlock(path="main.tf", address=address, line=1, end_line=2, **block)  # type: ignore[arg-type]
    return Node(folder=".", prefix="", block=facts, identity=identity, digest=None)


def _graph(*nodes: Node) -> Graph:
    index = {(n.folder, n.prefix, n.block.address): n for n in nodes}
    return Graph(identities=tuple(n.identity for n in nodes if n.identity), nodes=nodes,
                 index=index)  # fmt: skip


ROLE = "aws_iam_role"
ODD: list[JSON] = [None, 3, "text", [], [1, None], {"x": {"y": []}}, [{"type": ["Service"]}]]


@pytest.mark.parametrize("odd", ODD)
def test_an_odd_trust_policy_is_skipped(odd: JSON) -> None:
    policies: list[JSON] = [
        odd,
        {"statements": odd},
        {"statements": [{"effect": "Allow", "principals": odd, "conditions": odd}]},
        {"statements": [{"effect": "Allow", "principals": [{"type": "Service",
                                                            "identifiers": odd}]}]},
        {"statements": [{"effect": "Allow", "principals": [{"type": "Federated"}],
                         "conditions": [{"variable": "x:sub", "values": odd, "test": odd}]}]},
        {"ref": odd},
    ]  # fmt: skip
    for policy in policies:
        role = _node(ROLE, "r", Category.IDENTITY, policies={"assume_role_policy": policy})
        assert all(isinstance(link, Link) for link in workloads.links(_graph(role)))


@pytest.mark.parametrize("odd", ODD)
def test_an_odd_binding_is_skipped_or_unknown(odd: JSON) -> None:
    account = _node("google_service_account", "sa", Category.IDENTITY)
    role = _node(ROLE, "r", Category.IDENTITY)
    uai = _node("azurerm_user_assigned_identity", "u", Category.IDENTITY)
    bindings = [
        _node("google_service_account_iam_member", "m", Category.GRANT,
              references={"service_account_id": ["google_service_account.sa"], "member": odd},
              settings={"role": odd, "member": odd}),
        _node("google_service_account_iam_binding", "b", Category.GRANT,
              references={"service_account_id": ["google_service_account.sa"]},
              settings={"role": "roles/iam.workloadIdentityUser", "members": odd}),
        _node("aws_eks_pod_identity_association", "p", Category.GRANT,
              references={"role_arn": odd}, settings={"namespace": odd}),
        _node("aws_eks_pod_identity_association", "q", Category.GRANT,
              references={"role_arn": ["aws_iam_role.r"]},
              settings={"namespace": odd, "service_account": odd}),
        _node("azurerm_federated_identity_credential", "f", Category.GRANT,
              references={"parent_id": ["azurerm_user_assigned_identity.u"]},
              attributes={"federation_subject": odd, "federation_issuer": odd}),
    ]  # fmt: skip
    found = list(workloads.links(_graph(account, role, uai, *bindings)))
    for link in found:
        assert link.relation in ("assumes", "assumable_by")
        if link.relation == "assumable_by" and ":" in link.to and "#" not in link.to:
            assert link.to.partition(":")[2]  # a subject, or `unknown`


def test_who_runs_as_an_identity_is_among_its_consumers() -> None:
    role = _node(ROLE, "r", Category.IDENTITY)
    assert role.identity is not None
    links = [Link(source=role.identity.id, to="aws-service:lambda.amazonaws.com",
                  relation="assumable_by", evidence="trust")]  # fmt: skip
    subject = Attributed(identity=role.identity, attribution=Attribution())
    assert list(_consumers(subject, links)) == ["aws-service:lambda.amazonaws.com"]
