import pytest

from atiende.celery import app


@pytest.fixture
def celery_retries():
    """Eager tasks that retry and fail like a worker's.

    With ``task_eager_propagates`` (tests/settings.py) Celery re-raises ``Retry`` instead of
    retrying, and skips the ``task_failure`` signal; switched off here, a failed task's result
    carries the error (``.get()`` raises it) and the failure is recorded.
    """
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous
