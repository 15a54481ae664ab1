"""Tests: the real PostgreSQL and Redis, a database of their own, fast password hashing."""

from .base import *  # noqa: F403
from .base import CACHES, env

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    **CACHES,
    "default": {
        **CACHES["default"],
        "LOCATION": env.str("REDIS_URL", default="redis://127.0.0.1:6379/1"),
        "KEY_PREFIX": "voliere-test",
    },
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/2")
# In memory, unless EMAIL_URL names a server: the Celery workers that tests and benchmarks
# start send to a loopback SMTP server that way.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
