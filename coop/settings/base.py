"""Settings shared by every environment. Values come from the environment (see README)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A form refused by the CSRF check explains itself in the site's layout (not Django's bare page).
CSRF_FAILURE_VIEW = "coop.views.errors.csrf_failure"

# Content-Security-Policy (django-csp 4, csp.middleware.CSPMiddleware): scripts and styles from
# the site's own static files only, no inline <script>, <style>, style="…" or on…= handler
# (tests/coop/test_csp.py checks the pages). img-src allows data: for the TOTP QR code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    },
}

INSTALLED_APPS = [
    "coop",
    "members",
    "capital",
    "governance",
    "heritage",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coop.uploads.RequestSizeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coop.middleware.AdministratorIdleTimeoutMiddleware",
    "coop.middleware.AdministratorMFAMiddleware",
    "coop.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "coop.urls"
WSGI_APPLICATION = "coop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coop.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/voliere"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Prepared statements only where coop.prepared asks for them (Django disables them, and its own
# queries bind their values on the client, which never prepares): a threshold no count reaches.
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Keys that protect the site rather than copy the database: while Redis cannot be reached they
# are counted in the fallback cache (a database table) instead of being answered as misses.
CACHE_FALLBACK_KEY_PREFIXES = [
    "allauth:rl:",  # allauth's rate limits and their locks
    "allauth.mfa.totp.used",  # TOTP codes already used (no replay)
    "members:apply:",  # applications per address
    "heritage:lookup:",  # guests asking for their registrations, per address and per client
]
CACHES = {
    # Redis, failing open when it cannot be reached (see coop/cache.py and the README).
    "default": {
        "BACKEND": "coop.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="voliere"),
        "FALLBACK": "fallback",
        "FALLBACK_KEY_PREFIXES": CACHE_FALLBACK_KEY_PREFIXES,
        "RETRY_AFTER": env.float("REDIS_RETRY_AFTER", default=5.0),
        "OPTIONS": {
            "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
            "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
        },
    },
    # Rate limits while Redis is away; the table is created by migration coop 0005.
    "fallback": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "coop_cache_fallback",
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="voliere"),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
# Sessions in the database only: signing in and every signed-in page work without Redis
# (cached_db would raise on its cache reads when Redis is down).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "coop.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the identifier, verified; login by e-mailed code or by password.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_ADAPTER = "coop.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Volière] "
ACCOUNT_LOGOUT_ON_GET = False
# Members are admitted by the board; nobody opens an account by themselves (issue: member register).
ACCOUNT_ALLOW_SIGNUPS = env.bool("ACCOUNT_ALLOW_SIGNUPS", default=False)
ACCOUNT_RATE_LIMITS = {
    # Explicit, so the limits are visible here; they are enforced on the Redis cache.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Volière"
MFA_ADAPTER = "coop.adapters.MFAAdapter"
# TOTP secrets and recovery-code seeds are encrypted at rest (coop.adapters.MFAAdapter) with a
# key derived from this variable: required in production, a fixed key in development and tests.
TOTP_ENCRYPTION_KEY = env.str(
    "TOTP_ENCRYPTION_KEY", default="dev-only-totp-key-never-use-in-production-0123456789"
)
# Administrators' pages need a session that passed TOTP less than this long ago (coop.roles),
# and an administrator's session ends after this long without a request (coop.middleware).
COOP_ADMIN_MFA_MAX_AGE = timedelta(hours=12)
COOP_ADMIN_IDLE_TIMEOUT = timedelta(minutes=30)

# Internationalisation: French by default, English complete.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# French dates and times with "à" and "18 h 00", English times on the 24-hour clock
# (coop/formats/fr/formats.py, coop/formats/en/formats.py).
FORMAT_MODULE_PATH = ["coop.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"

# Uploads (issue 15, coop/uploads.py). A request announcing a larger body is answered 413
# before it is read: a form with files up to UPLOAD_MAX_REQUEST_BYTES (the 20 MB register
# import and its fields), any other body up to DATA_UPLOAD_MAX_MEMORY_SIZE. Images: at most
# IMAGE_MAX_BYTES and IMAGE_MAX_PIXELS (Pillow's decompression-bomb guard is set to it).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of fields (Django's default, made explicit)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files go to a temporary file, not memory
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=21 * 1024 * 1024)
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)

# Anonymous forms that e-mail the address typed (coop/throttle.py, issue 15): per client and
# per address typed, on allauth's rate limits.
ACCOUNT_RATE_LIMITS = {
    **ACCOUNT_RATE_LIMITS,
    "heritage_guest_registration": "10/h/ip,3/h/key,10/d/key",
    "heritage_participation": "10/h/ip,3/h/key,10/d/key",
}

# E-mail. EMAIL_URL picks the transport: smtp://user:pass@host:port, smtp+tls://..., or
# filemail:///path (every message written as a file). See README.
vars().update(env.email_url("EMAIL_URL", default="smtp://127.0.0.1:1025"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Volière <secretariat@voliere.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis as broker; tasks are enqueued after commit (delay_on_commit).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that cannot be reached costs a request well under a second, not several: queueing
# fails fast, the outbox rows stay queued and the sweep sends them when Celery is back.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1.0}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Where tasks go unless routed: instances sharing one Redis (tests, benchmarks) each use theirs.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE = {
    "outbox-send": {
        "task": "coop.tasks.outbox_send_pending",
        "schedule": timedelta(seconds=60),
    },
    # Settles the batches of dead senders (their in-flight copy is sent again, see README).
    "outbox-recover": {
        "task": "coop.tasks.outbox_recover_interrupted",
        "schedule": timedelta(seconds=60),
    },
    "heartbeat": {
        "task": "coop.tasks.heartbeat",
        "schedule": crontab(minute="*"),
    },
    # Members who have neither voted nor given a proxy: one reminder before the deadline.
    "assembly-reminders": {
        "task": "governance.tasks.assembly_send_reminders",
        "schedule": crontab(minute=0),
    },
    # A seat offered from the waiting list and not taken in time goes to the next person.
    "heritage-expire-offers": {
        "task": "heritage.tasks.heritage_expire_offers",
        "schedule": timedelta(minutes=5),
    },
    # A closed vote whose tally task was lost (broker down at the close) is tallied; the urn
    # is vacuumed after a seal (governance.tasks).
    "assembly-tally-sweep": {
        "task": "governance.tasks.assembly_tally_sweep",
        "schedule": timedelta(seconds=60),
    },
    # Registered people: one reminder the day before (the outbox sends each copy once).
    "heritage-reminders": {
        "task": "heritage.tasks.heritage_send_reminders",
        "schedule": crontab(minute=0),
    },
    # Jobs left running by a dead worker fail (with a retry offered); old results go.
    "jobs-sweep": {
        "task": "coop.jobs.sweep",
        "schedule": timedelta(minutes=1),
    },
}

# Long work (coop.jobs): files of jobs (private: never under MEDIA_ROOT), how often a running
# job shows it is alive, after how long without a sign it is taken for dead, how long results
# are kept.
JOBS_ROOT = env.path("JOBS_ROOT", default=BASE_DIR / "var" / "jobs")
JOBS_HEARTBEAT_SECONDS = env.float("JOBS_HEARTBEAT_SECONDS", default=15)
JOBS_STALE_SECONDS = env.float("JOBS_STALE_SECONDS", default=180)
JOBS_KEEP_DAYS = env.int("JOBS_KEEP_DAYS", default=7)
JOBS_TIME_LIMIT_SECONDS = env.int("JOBS_TIME_LIMIT_SECONDS", default=3600)
# The register's PDF is printed this many entries at a time, then joined (peak memory), by
# this many processes at once (coop.jobs.printer; 1: in the worker's own process).
REGISTER_PDF_CHUNK_ROWS = env.int("REGISTER_PDF_CHUNK_ROWS", default=1000)
REGISTER_PDF_PROCESSES = env.int("REGISTER_PDF_PROCESSES", default=2)
# Letters printed at a time by the job that prints a notice's letters to post.
LETTERS_PRINT_CHUNK = env.int("LETTERS_PRINT_CHUNK", default=50)

# Outbox: rows per SMTP connection, attempts before a row is given up as failed.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=200)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
# A row the server refused for now waits base * 2^(attempt-1) seconds, capped, before a retry.
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)

# Ballot receipt e-mails (governance.tasks): the payload's encryption key (a Fernet
# key; derived from SECRET_KEY when empty) and the retries while SMTP is unreachable: base *
# 2^retry seconds, capped below Redis' visibility timeout (1 hour), for that many hours.
RECEIPT_MAIL_KEY = env.str("RECEIPT_MAIL_KEY", default="")
RECEIPT_MAIL_RETRY_BASE_SECONDS = env.float("RECEIPT_MAIL_RETRY_BASE_SECONDS", default=60)
RECEIPT_MAIL_RETRY_MAX_SECONDS = env.float("RECEIPT_MAIL_RETRY_MAX_SECONDS", default=1800)
RECEIPT_MAIL_RETRY_HOURS = env.float("RECEIPT_MAIL_RETRY_HOURS", default=36)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The cooperative shown in the header and on every document until statutes say otherwise.
COOP_SITE_NAME = env.str("COOP_SITE_NAME", default="Volière")
# The portal's public address, for links in notices sent by e-mail (no request at hand).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
HEALTH_CELERY_TIMEOUT = env.float("HEALTH_CELERY_TIMEOUT", default=1.0)
