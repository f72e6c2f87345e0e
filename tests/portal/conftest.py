import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The rate limit counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_mailboxes():
    """The pipeline keeps the mailbox list for a few seconds; each test has its own."""
    from atiende.intake.pipeline import forget_mailboxes

    forget_mailboxes()
    yield
    forget_mailboxes()
