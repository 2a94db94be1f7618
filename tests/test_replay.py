"""The replay guard: a signature is accepted once while its timestamp could still be fresh."""

from __future__ import annotations

from adapters.replay import ReplayGuard


def test_second_sighting_is_refused() -> None:
    guard = ReplayGuard(max_age=300)
    assert guard.first_time("a", 1000.0)
    assert not guard.first_time("a", 1000.5)
    assert guard.first_time("b", 1000.5)


def test_remembered_for_twice_the_freshness_window() -> None:
    guard = ReplayGuard(max_age=300)
    guard.first_time("a", 1000.0)
    assert not guard.first_time("a", 1599.0)  # a timestamp 300 s ahead is still fresh here
    assert guard.first_time("a", 1601.0)


def test_memory_is_bounded_oldest_first() -> None:
    guard = ReplayGuard(max_age=300, max_entries=2)
    for signature in ("a", "b", "c"):
        guard.first_time(signature, 1000.0)
    assert guard.first_time("a", 1000.0)  # forgotten to make room
    assert not guard.first_time("c", 1000.0)
