"""Production settings refuse to start without their variables and pass check --deploy."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "coop.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/voliere_unused",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "SITE_URL": "https://coop.example.org",
    "TOTP_ENCRYPTION_KEY": secrets.token_urlsafe(40),
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A clean production-like environment: none of the test run's own switches.
    skipped = {
        *PRODUCTION_ENV,
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "VOLIERE_PROD_CHECK_LOOPBACK_HTTP",
        "TRUSTED_PROXY_COUNT",
        "SECURE_HSTS_PRELOAD",
    }
    base = {k: v for k, v in os.environ.items() if k not in skipped}
    base["DJANGO_SETTINGS_MODULE"] = "coop.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_required_variables():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    del env["EMAIL_URL"]
    del env["SITE_URL"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "EMAIL_URL" in result.stderr
    assert "SITE_URL" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50" in result.stderr


LOOPBACK_ENV = {
    **PRODUCTION_ENV,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": "http://127.0.0.1:8765",
    "VOLIERE_PROD_CHECK_LOOPBACK_HTTP": "1",
}
PRINT_SECURITY = (
    "from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_HSTS_SECONDS)"
)


def test_production_is_https_only_without_the_prod_check_allowance():
    result = _manage("shell", "--no-imports", "-c", PRINT_SECURITY, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000"]


def test_the_prod_check_serves_plain_http_on_loopback_only():
    result = _manage("shell", "--no-imports", "-c", PRINT_SECURITY, env=LOOPBACK_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "0"]


def test_the_prod_check_allowance_is_refused_for_a_public_host():
    result = _manage("check", env={**LOOPBACK_ENV, "ALLOWED_HOSTS": "127.0.0.1,coop.example.org"})
    assert result.returncode != 0
    assert "VOLIERE_PROD_CHECK_LOOPBACK_HTTP is only for the production check" in result.stderr


def test_the_prod_check_allowance_is_refused_for_a_public_site_url():
    result = _manage("check", env={**LOOPBACK_ENV, "SITE_URL": "http://coop.example.org"})
    assert result.returncode != 0
    assert "VOLIERE_PROD_CHECK_LOOPBACK_HTTP is only for the production check" in result.stderr


def test_rate_limits_count_the_client_behind_the_proxy():
    """Behind Caddy, the client is the last address of X-Forwarded-For, not the proxy's."""
    script = (
        "from django.test import RequestFactory; "
        "from allauth.core.internal.httpkit import get_client_ip; "
        "r = RequestFactory().get('/', REMOTE_ADDR='172.18.0.5', "
        "HTTP_X_FORWARDED_FOR='203.0.113.9'); print(get_client_ip(r))"
    )
    result = _manage("shell", "--no-imports", "-c", script, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "203.0.113.9"


def test_probes_answer_plain_http_where_pages_redirect_to_https():
    """The container's health check and the proxy ask /ready and /health over plain HTTP: they
    get their answer (503 here: this environment's database does not exist), never a redirect,
    while pages are sent to HTTPS."""
    script = (
        "from django.test import Client; c = Client(HTTP_HOST='coop.example.org'); "
        "print(c.get('/ready').status_code, c.get('/health').status_code, "
        "c.get('/').status_code, c.get('/').headers.get('Location'))"
    )
    env = {
        **PRODUCTION_ENV,
        "REDIS_URL": os.environ.get("REDIS_URL", PRODUCTION_ENV["REDIS_URL"]),
        "HEALTH_CELERY_TIMEOUT": "0.2",
    }
    result = _manage("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["503", "503", "301", "https://coop.example.org/"]


def test_production_refuses_to_start_without_the_totp_encryption_key():
    env = dict(PRODUCTION_ENV)
    del env["TOTP_ENCRYPTION_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "TOTP_ENCRYPTION_KEY" in result.stderr
    short = _manage("check", env={**PRODUCTION_ENV, "TOTP_ENCRYPTION_KEY": "short-key"})
    assert short.returncode != 0
    assert "TOTP_ENCRYPTION_KEY must be at least 32" in short.stderr


PRINT_HSTS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
)


def test_hsts_preload_only_when_the_operator_opts_in():
    result = _manage("shell", "--no-imports", "-c", PRINT_HSTS, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "False"]
    opted = {**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "true"}
    result = _manage("shell", "--no-imports", "-c", PRINT_HSTS, env=opted)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True"]
    deploy = _manage("check", "--deploy", "--fail-level", "WARNING", env=opted)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
