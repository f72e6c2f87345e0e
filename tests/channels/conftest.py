from tests.intake.conftest import fresh_mailboxes  # noqa: E402,F401
from tests.jobs.conftest import celery_retries  # noqa: F401
