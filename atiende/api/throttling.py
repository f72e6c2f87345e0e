"""API rate limits as fixed-window counters (core.ratelimit): O(1) per request, whatever the rate.

DRF's own throttles keep a sliding log: the list of every request time in the window, read and
written back whole on each request. At a rate of 100,000/hour that list is the cost of the
request. A counter per (client, window) answers the same question in O(1); a burst at a window's
edge may reach twice the rate.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from atiende.core import ratelimit


class FixedWindowMixin(SimpleRateThrottle):
    # Set by SimpleRateThrottle.__init__ from the rate (ints whenever a rate is set); the
    # djangorestframework-stubs do not declare them.
    num_requests: int
    duration: int
    wait_seconds: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        if ratelimit.hit(self.key, self.duration, now=now, store=self.cache) > self.num_requests:
            self.wait_seconds = self.duration - (now % self.duration)
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds


class UserRateLimit(FixedWindowMixin, UserRateThrottle):
    """Per authenticated user (rate ``user``); anonymous callers by IP."""


class AnonRateLimit(FixedWindowMixin, AnonRateThrottle):
    """Per IP for anonymous callers (rate ``anon``)."""
