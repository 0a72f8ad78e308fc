"""CareHub settings: one file, driven by the environment.

With no environment at all a fresh clone runs in development mode: SQLite,
tasks run eagerly in-process, local-memory cache, e-mail to the console.
Setting `SECRET_KEY` switches on production defaults (secure cookies, HSTS,
HTTPS redirect, hashed static files); each can still be overridden.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core ------------------------------------------------------------------

_secret = env_str("SECRET_KEY")
PRODUCTION = bool(_secret)
SECRET_KEY = _secret or "django-insecure-development-only-key-never-used-when-SECRET_KEY-is-set"
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when SECRET_KEY is set (production).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "carehub",
    "accounts",
    "directory",
    "marketplace",
    "commissioning",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "carehub.middleware.RequestBodyLimitMiddleware",  # before anything reads the body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carehub.urls"
WSGI_APPLICATION = "carehub.wsgi.application"
ASGI_APPLICATION = "carehub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "marketplace.context_processors.unread",
            ],
        },
    },
    # Parts of pages rendered many times over, where Django's template language cost most of
    # the page (the search results list: ADR 3). Only reached by name, from Django templates.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "carehub.jinja_env.environment"},
    },
]

# --- Database ----------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
    }
if _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that asks the socket rather than the server and
    # generic plans for prepared statements (see there).
    _db["ENGINE"] = "carehub.db.postgresql"
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue
    # instead of failing with "database is locked" half-way (see DESIGN.md, Money).
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery -------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# Redis down must cost a request milliseconds, not seconds (issue 16, docs/reliability.md): short
# socket timeouts for the cache and the broker, a cache miss instead of an error (carehub/cache.py),
# no broker reconnect loop when publishing (the outbox and the beat re-send tasks cover what is lost).
REDIS_SOCKET_TIMEOUT = env_int("REDIS_SOCKET_TIMEOUT_MS", 500) / 1000
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "carehub.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker, tasks run in-process so a fresh clone needs no services.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660)
# Retry delays (at most CELERY_TASK_MAX_RETRY_DELAY) stay far below the Redis
# visibility timeout, or Redis would hand an unacknowledged task out twice.
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    # Publishing gives up at the first refused connection (kombu's default retry waited ~6 s).
    # Workers reconnect on their own terms (CELERY_BROKER_CONNECTION_RETRY*).
    "max_retries": 0,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
}
# Nothing reads task results except the diagnostic healthcheck task (which asks for them): without
# this, every enqueue subscribes to the result store first and retries for ~20 s when Redis is down.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_DEFAULT_RETRY_DELAY = 30
CELERY_TASK_MAX_RETRY_DELAY = env_int("CELERY_TASK_MAX_RETRY_DELAY", 600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE: dict = {
    "directory-listing-freshness-reminders": {
        "task": "directory.tasks.listing_freshness_remind_task",
        "schedule": 86400.0,
    },
}
# Reviews (issue 7): publish reviews whose 72-hour provider preview is over; nightly rescore.
CELERY_BEAT_SCHEDULE["reviews-publish-due"] = {"task": "reviews.tasks.reviews_publish_due_task", "schedule": 300.0}
# Every e-mail goes through the notifications outbox: deliver what the broker never took (ADR 6).
# The outbox's safety net: e-mails still undelivered this long after their change are sent by the beat task.
NOTIFICATIONS_REDISPATCH_AFTER_SECONDS = env_int("NOTIFICATIONS_REDISPATCH_AFTER_SECONDS", 120)
CELERY_BEAT_SCHEDULE["accounts-notifications-redispatch"] = {
    "task": "accounts.notifications_tasks.notifications_redispatch",
    "schedule": float(env_int("NOTIFICATIONS_REDISPATCH_EVERY_SECONDS", 300)),
}
# Bookings (issue 6): pay for care unconfirmed 7 days after delivery; book each week's regular visits.
CELERY_BEAT_SCHEDULE["marketplace-bookings-auto-complete"] = {
    "task": "marketplace.bookings_tasks.bookings_auto_complete_task",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["marketplace-recurring-plans-commit"] = {
    "task": "marketplace.bookings_tasks.recurring_plans_commit_task",
    "schedule": 86400.0,
}
# Top-ups left pending by a crash between the gateway's charge and recording it: asked about
# once older than this (longer than any gateway call may take), then credited once or failed.
TOPUP_RECONCILE_AFTER_SECONDS = env_int("TOPUP_RECONCILE_AFTER_SECONDS", 900)
CELERY_BEAT_SCHEDULE["marketplace-budgets-topups-reconcile"] = {
    "task": "marketplace.budgets.tasks.budget_topups_reconcile_task",
    "schedule": 600.0,
}
# Saved searches (issue 15): hourly, but each saved search alerts at most once a day.
CELERY_BEAT_SCHEDULE["marketplace-saved-search-alerts"] = {
    "task": "marketplace.choosing.tasks.saved_search_alerts_task",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["reviews-rescore"] = {"task": "reviews.tasks.ratings_rescore_task", "schedule": 86400.0}
# Vetting (issue 8): registration checks nightly (and after every register import, queued by the
# import itself); evidence that ran out takes 'Vetted' away; reminders 30 and 7 days before.
CELERY_BEAT_SCHEDULE["directory-vetting-registration-checks"] = {
    "task": "directory.tasks.vetting_registration_checks_task",
    "schedule": crontab(hour=1, minute=30),
}
CELERY_BEAT_SCHEDULE["directory-vetting-expire"] = {
    "task": "directory.tasks.vetting_expire_task",
    "schedule": crontab(hour=0, minute=5),
}
CELERY_BEAT_SCHEDULE["directory-vetting-remind"] = {
    "task": "directory.tasks.vetting_remind_task",
    "schedule": crontab(hour=9, minute=0),
}
if CELERY_TASK_MAX_RETRY_DELAY >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("CELERY_TASK_MAX_RETRY_DELAY must be below CELERY_BROKER_VISIBILITY_TIMEOUT.")

# --- Vetting (issue 8) ------------------------------------------------------------
# Lowest regulator grade accepted, on the six-point scale (CQC ratings mapped onto it): 3 = Adequate.
VETTING_MIN_GRADE = env_int("VETTING_MIN_GRADE", 3)
if not 1 <= VETTING_MIN_GRADE <= 6:
    raise ImproperlyConfigured("VETTING_MIN_GRADE must be between 1 and 6.")
# A PVG or DBS certificate older than this is flagged for renewal; training older than this is refreshed.
VETTING_CRIMINAL_RECORD_RENEWAL_DAYS = env_int("VETTING_CRIMINAL_RECORD_RENEWAL_DAYS", 3 * 365)
VETTING_TRAINING_VALID_DAYS = env_int("VETTING_TRAINING_VALID_DAYS", 3 * 365)
if VETTING_CRIMINAL_RECORD_RENEWAL_DAYS < 1 or VETTING_TRAINING_VALID_DAYS < 1:
    raise ImproperlyConfigured("VETTING_CRIMINAL_RECORD_RENEWAL_DAYS and VETTING_TRAINING_VALID_DAYS must be positive.")

# --- Auth ----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

# --- E-mail -------------------------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CareHub <no-reply@carehub.example>")

# --- Internationalisation -----------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploads (vetting evidence) live outside the web root and are served only
# through permission-checked views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "uploads")))
# Never routed: uploads are served only by permission-checked views.
MEDIA_URL = "/uploads-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security --------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", PRODUCTION) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # The bearer token comes first: its WWW-Authenticate header makes an anonymous request a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.api.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # DRF's two, the JSON written by orjson (carehub.renderers.JSONRenderer).
    "DEFAULT_RENDERER_CLASSES": ["carehub.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "carehub.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "carehub.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_THROTTLE_RATE", "600/minute"),
        "user": env_str("API_USER_THROTTLE_RATE", "1200/minute"),
        "reviews": "10/hour",  # writing reviews and reports, per account
        "reviews_ip": "30/hour",  # the same, per IP address across accounts
        "oruk": env_str("ORUK_THROTTLE_RATE", "600/minute"),  # the open Open Referral UK feed, per IP address
    },
}
# A flood of reviews: at most this many per account a day (any channel), and per IP an hour on the form.
REVIEWS_MAX_PER_DAY = env_int("REVIEWS_MAX_PER_DAY", 5)
REVIEWS_FORM_MAX_PER_IP_HOUR = env_int("REVIEWS_FORM_MAX_PER_IP_HOUR", 10)
SPECTACULAR_SETTINGS = {
    "TITLE": "CareHub API",
    "DESCRIPTION": "Find care and support, book it and pay from a personal budget. Amounts are integer pence.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation gets a summary (carehub.api.schema_summaries); enums as the default.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "carehub.api.schema_summaries",
    ],
}

# --- Logging: one JSON object per line, so a log shipper can parse it --------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- CareHub --------------------------------------------------------------------------------

CAREHUB_PLATFORM_FEE_PERCENT = env_str("CAREHUB_PLATFORM_FEE_PERCENT", "5")
# Search API answers are cached this long at most (0 turns the cache off); any
# change to listings makes cached answers stale at once (directory/search_cache.py).
SEARCH_CACHE_SECONDS = env_int("SEARCH_CACHE_SECONDS", 60)
# The anonymous search log is written in batches (directory/search_log.py).
SEARCH_LOG_BATCH_SIZE = env_int("SEARCH_LOG_BATCH_SIZE", 50)
SEARCH_LOG_FLUSH_SECONDS = env_int("SEARCH_LOG_FLUSH_SECONDS", 10)
# Commissioners' gap analysis: budget holders with no service of a type within this distance.
CAREHUB_GAP_RADIUS_MILES = env_int("CAREHUB_GAP_RADIUS_MILES", 10)
