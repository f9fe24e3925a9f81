"""`collector.paused`: the cycle collector off inside, the caller's setting back after."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Iterator

import pytest

from scanner import collector, pipeline, policy
from scanner.cli import main
from scanner.reporters.json import render


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_enabled_again_after() -> None:
    gc.enable()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_was_made_inside_is_left_to_reference_counting() -> None:
    gc.enable()
    gc.unfreeze()
    with collector.paused():
        made = [[n] for n in range(10_000)]
    assert gc.get_freeze_count() >= len(made)  # the collector will not walk them again
    gc.unfreeze()


def test_restored_after_an_error() -> None:
    gc.enable()
    with pytest.raises(KeyError), collector.paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_nested_and_already_off_stay_off() -> None:
    gc.disable()
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert not gc.isenabled()  # the caller had it off: left off


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_young_frees_a_new_cycle_and_keeps_the_collector_paused() -> None:
    gc.enable()
    with collector.paused():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
        assert alive() is not None  # a cycle: reference counting cannot free it
        collector.young()
        assert alive() is None
        assert not gc.isenabled()
    gc.unfreeze()


def test_a_paused_scan_leaves_no_parse_trees_and_finds_what_a_collected_one_finds(
    git_repo, monkeypatch
) -> None:
    """`nhi scan` runs paused; python-hcl2's trees are cycles, freed file by file (`young`):
    a full collection afterwards finds none of them (a few class objects Python itself leaves
    are not ours), and the identities are the same."""
    for n in range(3):
        git_repo.write(f"iam{n}.tf", f'resource "aws_iam_user" "u{n}" {{\n  name = "u{n}"\n}}\n'
                                     f'resource "aws_iam_access_key" "k{n}" {{\n'
                                     f"  user = aws_iam_user.u{n}.name\n}}\n")  # fmt: skip
    git_repo.commit("users")
    monkeypatch.chdir(git_repo.root)
    found = {}
    for mode in ("paused", "library"):
        out = git_repo.root / f"{mode}.json"
        gc.enable()
        gc.collect()
        gc.unfreeze()
        if mode == "paused":
            assert main(["scan", ".", "--no-cache", "--jobs", "1", "--format", "json",
                         "--output", str(out)]) == 1  # findings  # fmt: skip
        else:  # the pipeline as a library calls it: the collector on, as the caller left it
            options = pipeline.Options(policies=policy.builtin())
            out.write_text(render(pipeline.scan(git_repo.root, options=options)))
        gc.unfreeze()
        gc.set_debug(gc.DEBUG_SAVEALL)  # only now: while set, a collection frees nothing
        try:
            gc.collect()
            left = sorted({type(o).__module__ for o in gc.garbage
                           if type(o).__module__.startswith(("hcl2", "lark"))})  # fmt: skip
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        if mode == "paused":  # the library's leftovers wait for the collector's next pass
            assert left == []
        found[mode] = [(i["kind"], i["name"], i["path"], i["line"])
                       for i in json.loads(out.read_text())["identities"]]  # fmt: skip
    assert found["paused"] == found["library"] == [
        ("aws_iam_user", "u0", "iam0.tf", 1), ("aws_iam_access_key", "k0", "iam0.tf", 4),
        ("aws_iam_user", "u1", "iam1.tf", 1), ("aws_iam_access_key", "k1", "iam1.tf", 4),
        ("aws_iam_user", "u2", "iam2.tf", 1), ("aws_iam_access_key", "k2", "iam2.tf", 4),
    ]  # fmt: skip
