"""`collector.paused`: the cycle collector off inside, the caller's setting back after."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from scanner import collector


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
