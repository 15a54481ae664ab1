"""Production: refuses to start without its required variables; passes check --deploy."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MEDIA_ROOT, env

DEBUG = False

_REQUIRED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SITE_URL",
    "TOTP_ENCRYPTION_KEY",
)
_missing = [name for name in _REQUIRED if not env.str(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: " + ", ".join(_missing)
    )

SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Encrypts the administrators' TOTP secrets at rest (coop.adapters.MFAAdapter). Keep it with
# the backups of .env: without it the authenticators cannot be read.
TOTP_ENCRYPTION_KEY = env.str("TOTP_ENCRYPTION_KEY")
if len(TOTP_ENCRYPTION_KEY) < 32 or len(set(TOTP_ENCRYPTION_KEY)) < 5:
    raise ImproperlyConfigured("TOTP_ENCRYPTION_KEY must be at least 32 random characters.")
SITE_URL = env.str("SITE_URL")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes of the container and the proxy speak plain HTTP to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is asked of the browsers' HSTS lists, hard to leave: only when the operator opts in.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # check --deploy warns when preload is off; off is the deliberate default (docs/security.md).
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# Uploads (heritage images): the media volume, which the proxy serves under /media/heritage/.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(MEDIA_ROOT))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# gunicorn sits behind one reverse proxy (Caddy, see deploy/Caddyfile), which appends the
# client's address to X-Forwarded-For: allauth's rate limits per IP must count that address,
# not the proxy's (with 0 every visitor would share one limit). Set 0 only without a proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

# `make prod-check` (bin/prod_check.py) serves these settings over plain HTTP on loopback,
# where no certificate can be had. Production never sets this variable; it is refused unless
# every host served and the site's address are loopback, so it cannot open a public site.
PROD_CHECK_LOOPBACK_HTTP = env.bool("VOLIERE_PROD_CHECK_LOOPBACK_HTTP", default=False)
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
if PROD_CHECK_LOOPBACK_HTTP:
    _site_host = urlsplit(SITE_URL).hostname or ""
    _public = [host for host in ALLOWED_HOSTS if host not in _LOOPBACK_HOSTS]
    if _public or _site_host not in {h.strip("[]") for h in _LOOPBACK_HOSTS}:
        raise ImproperlyConfigured(
            "VOLIERE_PROD_CHECK_LOOPBACK_HTTP is only for the production check on loopback: "
            "ALLOWED_HOSTS and SITE_URL must name 127.0.0.1, localhost or [::1] only."
        )
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
