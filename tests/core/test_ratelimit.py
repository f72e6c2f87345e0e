"""Fixed-window counters: each window counts on its own; a limit of 0 means no limit."""

from django.core.cache import cache

from atiende.core import ratelimit


def test_hits_count_within_a_window_and_start_over_in_the_next():
    cache.clear()
    assert [ratelimit.hit("k", 60, now=120.0) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.hit("k", 60, now=180.0) == 1


def test_over_limit_once_the_allowance_is_spent_and_never_without_a_limit():
    cache.clear()
    assert [ratelimit.over_limit("form", 2, 3600) for _ in range(3)] == [False, False, True]
    assert not any(ratelimit.over_limit("free", 0, 3600) for _ in range(5))
