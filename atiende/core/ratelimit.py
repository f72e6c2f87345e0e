"""Fixed-window counters in the cache: the rate limits of the API, the contact form and search.

One counter per (key, window): two cache round trips per hit whatever the rate. A burst at a
window's edge may reach twice the rate, which is acceptable for abuse protection.
"""

from __future__ import annotations

import time

from django.core.cache import BaseCache, cache


def hit(key: str, window_s: int, *, now: float | None = None, store: BaseCache = cache) -> int:
    """Count one hit of KEY in the current window of WINDOW_S seconds; return the window's count."""
    now = time.time() if now is None else now
    window_key = f"{key}:{int(now // window_s)}"
    store.add(window_key, 0, window_s)
    try:
        return store.incr(window_key)
    except ValueError:  # the window expired between add and incr
        store.add(window_key, 1, window_s)
        return 1


def over_limit(key: str, limit: int, window_s: int) -> bool:
    """Count one hit of KEY; True once more than LIMIT hits fell in this window (0: no limit)."""
    return bool(limit) and hit(key, window_s) > limit
