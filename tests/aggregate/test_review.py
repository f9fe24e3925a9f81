"""`review.apply` and `adoption.adopt` on their own (#24): when a handover counts, and when an
earlier decision stops holding (its people changed, the assignee left)."""

from __future__ import annotations

import datetime

from scanner.aggregate.resolve import Aggregate, PersonState, Resolved
from scanner.aggregate.review import Settings, Stored, apply
from scanner.aggregate.review_model import Decision
from scanner.roster import Roster, parse

DAY = datetime.date(2026, 11, 3)
ROSTER = """\
email,status,manager,github_login
alice@acme.example,departed,carol@acme.example,alice-a
carol@acme.example,active,,carolc
dave@acme.example,active,,dave-d
erin@acme.example,departed,,erin-e
"""
ALICE = PersonState(reference="alice@acme.example", role="provisioner", state="departed",
                    email="alice@acme.example", left_on="2026-03-02")  # fmt: skip


def roster() -> Roster:
    teams = {"@acme/live": ["dave-d"], "@acme/gone": ["erin-e"]}
    return Roster(parse(ROSTER, "r.csv", DAY), teams=teams, as_of=DAY)


def orphan(name: str, rules: tuple[str, ...], *owners: tuple[str, str]) -> Resolved:
    people = (ALICE, *(PersonState(reference=r, role="owner", state=s, email=None)
                       for r, s in owners))  # fmt: skip
    return Resolved(repository="acme/a", identity=f"{name}.tf#k", kind="aws_iam_access_key",
                    name=name, path=f"{name}.tf", line=1, state="orphaned", rules=rules,
                    people=people, route_to=("carol@acme.example",),
                    why="manager of alice@acme.example")  # fmt: skip


def run(*items: Resolved, stored: Stored | None = None) -> Aggregate:
    result = Aggregate(repositories=("acme/a",), identities=items, orphans=items, rejected=())
    return apply(result, roster(), Settings(as_of=DAY), [], [], stored or Stored())


def test_only_an_identity_whose_provisioner_left_and_that_has_an_active_owner_is_adopted() -> None:
    result = run(
        orphan("team", ("NHI101",), ("@acme/live", "active")),
        orphan("gone", ("NHI101",), ("@acme/gone", "departed")),
        orphan("more", ("NHI101", "NHI102"), ("@acme/live", "active"), ("@acme/gone", "departed")),
        orphan("none", ("NHI001", "NHI101")),
    )
    assert [(i.name, i.state, i.route_to) for i in result.identities] == [
        ("team", "adopted", ("@acme/live",)),
        ("gone", "orphaned", ("carol@acme.example",)),
        ("more", "orphaned", ("carol@acme.example",)),
        ("none", "orphaned", ("carol@acme.example",)),
    ]
    assert result.identities[0].why == (
        "you now own team, provisioned by alice@acme.example who left on 2026-03-02"
    )
    assert [h.first for h in result.review.handovers] == [True]
    again = run(orphan("team", ("NHI101",), ("@acme/live", "active")),
                stored=Stored(adopted=frozenset({("acme/a", "team.tf#k")})))  # fmt: skip
    assert [h.first for h in again.review.handovers] == [False]


def decision(action: str, people: str, assign_to: str = "") -> Decision:
    return Decision(repository="acme/a", identity="x.tf#k", action=action,
                    decided_by="carol@acme.example", decided_on="2026-11-01",
                    assign_to=assign_to, source="inventory", people=people)  # fmt: skip


def test_an_earlier_decision_lapses_when_its_people_change_or_the_assignee_leaves() -> None:
    item = orphan("x", ("NHI001", "NHI101"))
    held = decision("keep", "provisioner:alice@acme.example:departed")
    assert run(item, stored=Stored(decisions=(held,))).identities[0].state == "kept"
    changed = decision("keep", "provisioner:bob@acme.example:departed")
    result = run(item, stored=Stored(decisions=(changed,)))
    assert (result.identities[0].state, result.review.lapsed) == (
        "orphaned",
        ((("acme/a", "x.tf#k"), "kept by carol@acme.example on 2026-11-01: its people changed "
          "since: decide again"),),
    )  # fmt: skip
    moved = decision("reassign", "provisioner:alice@acme.example", "@acme/gone")
    result = run(item, stored=Stored(decisions=(moved,)))
    assert result.review.lapsed == (
        (
            ("acme/a", "x.tf#k"),
            "reassigned to @acme/gone by carol@acme.example on 2026-11-01: "
            "@acme/gone is departed now: decide again",
        ),
    )
    live = decision("reassign", "provisioner:alice@acme.example", "@acme/live")
    result = run(item, stored=Stored(decisions=(moved, live)))
    assert [(i.state, i.route_to, i.people[-1].reference) for i in result.identities] == [
        ("reassigned", ("@acme/live",), "@acme/live")
    ]


def test_a_keep_on_an_identity_that_is_owned_again_changes_nothing() -> None:
    import dataclasses

    from scanner.aggregate import review_output

    owned = dataclasses.replace(orphan("x", ()), state="owned", route_to=(), why="")
    held = decision("keep", "provisioner:someone-else")
    result = run(owned, stored=Stored(decisions=(held,)))
    assert (result.identities, result.review.lapsed) == ((owned,), ())
    bare = dataclasses.replace(result, review=None)
    assert (list(review_output.text(bare)), review_output.markdown(bare, str)) == ([], [])
