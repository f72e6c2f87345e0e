"""Test settings: the real settings module, with a throw-away data folder and fast hashing.

Tasks run eagerly here (unit tests only); tests/production runs them on a real broker.
"""

import os
import tempfile

os.environ.setdefault("ATIENDE_DATA_DIR", tempfile.mkdtemp(prefix="atiende-test-"))

from atiende.settings import *  # noqa: E402,F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "100000/min"},
}

# A file, not memory, for SQLite's test database: the browser tests' server thread and the
# cross-process live-update tests must see what the test committed.
_database = DATABASES["default"]  # noqa: F405
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["TEST"] = {"NAME": os.path.join(os.environ["ATIENDE_DATA_DIR"], "test.sqlite3")}
