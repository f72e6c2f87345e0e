from tests.jobs.conftest import celery_retries  # noqa: F401
