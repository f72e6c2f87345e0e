"""Atiende settings: one module, driven by ATIENDE_* environment variables.

The embedded default (SQLite, kombu's filesystem broker, file cache, local media) needs none of
them. Every variable is documented in docs/configuration.md; a bad value fails loudly at start.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()


def env_file_or(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DATA_DIR = Path(env.str("ATIENDE_DATA_DIR", default=str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A per-installation key kept in the data folder, so the embedded default needs no setup."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env_file_or("ATIENDE_SECRET_KEY") or _embedded_secret_key()
DEBUG = env.bool("ATIENDE_DEBUG", default=False)
ALLOWED_HOSTS = env.list(
    "ATIENDE_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("ATIENDE_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("ATIENDE_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "channels",
    "channels_lite",  # the embedded channel layer's tables (atiende/live/layers.py)
    "django_htmx",
    "atiende.core",
    "atiende.accounts",
    "atiende.customers",
    "atiende.cases",
    "atiende.jobs",
    "atiende.notifications",
    "atiende.sla",
    "atiende.channels",
    "atiende.intake",
    "atiende.portal",
    "atiende.api",
    "atiende.replies",
    "atiende.live",
    "atiende.search",
    "atiende.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "atiende.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

# Content Security Policy: no inline or third-party scripts anywhere in the console. WebSockets are
# served by the ASGI server on their own port (`atiende serve`), hence the ws:/wss: sources.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs/", "/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

ROOT_URLCONF = "atiende.urls"
WSGI_APPLICATION = "atiende.wsgi.application"
ASGI_APPLICATION = "atiende.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "atiende.live.context.live",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "ATIENDE_DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'atiende.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the
    # write lock up front instead of failing with "database is locked" on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("ATIENDE_DB_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # JIT compilation costs tens of milliseconds on the console's short aggregate queries (the
    # workbox counts) and pays off only on long analytical ones: off for the desk's connections.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling, rate limits) -------------------------------------------------------
REDIS_URL = env.str("ATIENDE_REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Auth ----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
# Brute-force protection: lock a username+IP pair after N failures for a cool-off period.
AXES_FAILURE_LIMIT = env.int("ATIENDE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("ATIENDE_LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_ENABLED = env.bool("ATIENDE_LOGIN_THROTTLING", default=True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("ATIENDE_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- I18n ----------------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("ATIENDE_LANGUAGE_CODE", default="es")
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "atiende" / "locale"]
TIME_ZONE = env.str("ATIENDE_TIME_ZONE", default="America/Mexico_City")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing folder before collectstatic
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("ATIENDE_MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Domain limits -------------------------------------------------------------------------------
ATIENDE_DEFAULT_REGION = env.str("ATIENDE_DEFAULT_REGION", default="MX")
ATIENDE_MAX_ATTACHMENT_BYTES = env.int("ATIENDE_MAX_ATTACHMENT_MB", default=25) * 1024 * 1024
ATIENDE_FORBIDDEN_EXTENSIONS = env.list(
    "ATIENDE_FORBIDDEN_EXTENSIONS",
    default=["exe", "bat", "cmd", "com", "scr", "js", "vbs", "msi", "jar", "ps1", "sh"],
)
ATIENDE_REOPEN_DAYS = env.int("ATIENDE_REOPEN_DAYS", default=7)
ATIENDE_STUCK_AFTER_MINUTES = env.int("ATIENDE_STUCK_AFTER_MINUTES", default=10)
ATIENDE_SEARCH_PER_MINUTE = env.int("ATIENDE_SEARCH_PER_MINUTE", default=120)
DATA_UPLOAD_MAX_MEMORY_SIZE = ATIENDE_MAX_ATTACHMENT_BYTES + 1024 * 1024

# --- E-mail (outbound). The embedded default writes messages to files under the data folder. ---
EMAIL_BACKEND = env.str(
    "ATIENDE_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_HOST = env.str("ATIENDE_SMTP_HOST", default="localhost")
EMAIL_PORT = env.int("ATIENDE_SMTP_PORT", default=25)
EMAIL_HOST_USER = env.str("ATIENDE_SMTP_USER", default="")
EMAIL_HOST_PASSWORD = env_file_or("ATIENDE_SMTP_PASSWORD")
EMAIL_USE_TLS = env.bool("ATIENDE_SMTP_STARTTLS", default=False)
DEFAULT_FROM_EMAIL = env.str("ATIENDE_FROM_EMAIL", default="Atiende <atencion@atiende.local>")

# --- WhatsApp Business Cloud API (outbound). Empty: WhatsApp replies fail with a clear detail. --
ATIENDE_WHATSAPP_API_URL = env.str(
    "ATIENDE_WHATSAPP_API_URL", default="https://graph.facebook.com/v21.0"
).rstrip("/")
ATIENDE_WHATSAPP_PHONE_NUMBER_ID = env.str("ATIENDE_WHATSAPP_PHONE_NUMBER_ID", default="")
ATIENDE_WHATSAPP_TOKEN = env_file_or("ATIENDE_WHATSAPP_TOKEN")

# --- Jobs: Celery --------------------------------------------------------------------------------
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env.str("ATIENDE_BROKER_URL", default="filesystem://")
CELERY_TASK_ALWAYS_EAGER = env.bool("ATIENDE_TASKS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_WORKER_CONCURRENCY = env.int("ATIENDE_WORKER_CONCURRENCY", default=0) or None
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("in", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # pidbox exchanges (default: ./control)
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    # Redis re-delivers unacknowledged tasks after this timeout; every task is idempotent.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "atiende.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "atiende.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "atiende.api.throttling.AnonRateLimit",
        "atiende.api.throttling.UserRateLimit",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("ATIENDE_API_ANON_RATE", default="60/min"),
        "user": env.str("ATIENDE_API_USER_RATE", default="100000/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Atiende API",
    "DESCRIPTION": "Cases, customers and everything around them. Bearer token auth.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI and Redoc assets are served from this server (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name ("channel", "kind", "direction") get distinct names.
    "ENUM_NAME_OVERRIDES": {
        "CaseChannelEnum": "atiende.cases.models.Channel",
        "IdentityKindEnum": "atiende.customers.models.IdentityKind",
        "LinkKindEnum": "atiende.cases.models.LinkKind",
        "MessageDirectionEnum": "atiende.cases.models.Direction",
        "LinkDirectionEnum": "atiende.api.serializers.cases.LINK_DIRECTIONS",
        "CaseTypeEnum": "atiende.cases.models.CaseType",
        "PriorityEnum": "atiende.cases.models.Priority",
        "CustomerSegmentEnum": "atiende.customers.models.Segment",
        "ServiceTargetKindEnum": "atiende.sla.models.TargetKind",
    },
}

# --- Logging: one line per record, to stderr -----------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env.str("ATIENDE_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# === Jobs: periodic work and the process supervisor (atiende/jobs, `atiende serve`) ============
#: Beat's DatabaseScheduler copies these into django-celery-beat's tables at start (editable in
#: the admin afterwards). One entry runs every sweep listed in atiende/jobs/sweeps.py.
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-work": {"task": "default.sweep_stuck_work", "schedule": 60.0},
    # Service-level warnings and breaches (atiende/sla/alerts.py); an idle tick is two index probes.
    # Ticks that wait in the queue past the next one expire: the next tick finds the same rows.
    "sla-scan": {"task": "sla.scan", "schedule": 15.0, "options": {"expires": 14}},
    "purge-expired-rows": {"task": "default.purge_expired_rows", "schedule": 3600.0},
}
#: Retention, in days, of rows that only serve for a while (``jobs.housekeeping``).
ATIENDE_IDEMPOTENCY_KEY_DAYS = env.int("ATIENDE_IDEMPOTENCY_KEY_DAYS", default=7)
ATIENDE_CONSUMER_RECEIPT_DAYS = env.int("ATIENDE_CONSUMER_RECEIPT_DAYS", default=14)
#: `atiende serve`: gunicorn processes and threads per process (1 thread: sync workers).
ATIENDE_WEB_WORKERS = env.int("ATIENDE_WEB_WORKERS", default=2)
ATIENDE_WEB_THREADS = env.int("ATIENDE_WEB_THREADS", default=4)
#: `atiende serve`: port of the ASGI server (WebSockets); 0 means the HTTP port + 1.
ATIENDE_ASGI_PORT = env.int("ATIENDE_ASGI_PORT", default=0)
if ATIENDE_WEB_WORKERS < 1 or ATIENDE_WEB_THREADS < 1:
    raise ValueError("ATIENDE_WEB_WORKERS and ATIENDE_WEB_THREADS must be 1 or more")
if not 0 <= ATIENDE_ASGI_PORT < 65536:
    raise ValueError("ATIENDE_ASGI_PORT must be a port number (or 0)")
# === end Jobs ==================================================================================

# === Intake: inbound envelopes, e-mail in, the web form (atiende/intake, atiende/portal) =======
#: Failed processing is retried with back-off this many times, then dead-lettered.
ATIENDE_INTAKE_MAX_ATTEMPTS = env.int("ATIENDE_INTAKE_MAX_ATTEMPTS", default=5)
#: Raw payloads up to this size are kept in the envelope row; larger ones in file storage.
ATIENDE_INTAKE_INLINE_MAX_BYTES = env.int("ATIENDE_INTAKE_INLINE_MAX_KB", default=512) * 1024
#: The largest e-mail accepted by the SMTP listener and the pipe (bigger ones are refused).
ATIENDE_INTAKE_MAX_MESSAGE_BYTES = env.int("ATIENDE_INTAKE_MAX_MESSAGE_MB", default=60) * 1048576
#: Per-sender limit against mail storms and form floods (0: no limit).
ATIENDE_INTAKE_SENDER_LIMIT_PER_HOUR = env.int("ATIENDE_INTAKE_SENDER_LIMIT_PER_HOUR", default=60)
#: `atiende smtpd`: where the SMTP/LMTP listener binds.
ATIENDE_SMTPD_HOST = env.str("ATIENDE_SMTPD_HOST", default="127.0.0.1")
ATIENDE_SMTPD_PORT = env.int("ATIENDE_SMTPD_PORT", default=2525)
#: `atiende intake imap`: seconds between polls when the server has no IDLE, and IDLE renewal.
ATIENDE_IMAP_POLL_SECONDS = env.int("ATIENDE_IMAP_POLL_SECONDS", default=60)
#: The public contact form: submissions per client address per hour.
ATIENDE_WEBFORM_LIMIT_PER_HOUR = env.int("ATIENDE_WEBFORM_LIMIT_PER_HOUR", default=10)
# === end Intake ================================================================================

# === Live: WebSockets and the channel layer (atiende/live) =====================================
from atiende.live.layers import channel_layers  # noqa: E402

#: Redis with ATIENDE_REDIS_URL or PostgreSQL; channels-lite on the SQLite database otherwise.
CHANNEL_LAYERS = channel_layers(DATABASES["default"]["ENGINE"], REDIS_URL)
#: The browsers' WebSocket URL, when a proxy publishes it elsewhere (wss://host/ws/console/).
ATIENDE_WS_URL = env.str("ATIENDE_WS_URL", default="")
#: True when one origin serves pages and WebSockets (a proxy routes /ws/ to the ASGI server).
ATIENDE_WS_SAME_ORIGIN = env.bool("ATIENDE_WS_SAME_ORIGIN", default=False)
# === end Live ==================================================================================
