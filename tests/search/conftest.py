import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """The search rate limit counts per user id and minute in the cache; ids repeat across tests."""
    cache.clear()
    yield
    cache.clear()
