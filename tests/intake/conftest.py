import pytest

from atiende.intake.models import Mailbox
from tests.jobs.conftest import celery_retries  # noqa: F401


@pytest.fixture
def mailbox(team):
    return Mailbox.objects.create(address="soporte@atiende.test", name="Soporte Atiende", team=team)


@pytest.fixture(autouse=True)
def fresh_mailboxes():
    """The pipeline keeps the mailbox list for a few seconds; each test has its own."""
    from atiende.intake.pipeline import forget_mailboxes

    forget_mailboxes()
    yield
    forget_mailboxes()
