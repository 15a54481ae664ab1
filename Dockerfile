# Production-like image for the web, worker and beat processes (see docker-compose.yml).
FROM python:3.11-slim-bookworm

# The dependencies' bytecode is compiled once, at build (UV_COMPILE_BYTECODE): processes do not
# write it at run time (PYTHONDONTWRITEBYTECODE), and each process that starts (a worker, the
# register's printing processes) would otherwise compile Django and WeasyPrint again.
ENV PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=coop.settings.production \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    PATH="/opt/venv/bin:$PATH"

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
# Translations and static files (manifest, .gz and .br) built with the production settings, the
# same script that `make prod-check` runs in CI; it needs no database, Redis or secret.
# Only the uploads (the media volume) and /srv/static (the volume that the one-shot migrate
# service copies the static files into, for Caddy) are writable by the app's user.
RUN bin/build-production \
    && useradd --system --uid 1000 voliere \
    && mkdir -p var/media var/jobs /srv/static && chown voliere:voliere var/media var/jobs /srv/static

USER voliere
EXPOSE 8000
# Processes: WEB_CONCURRENCY (gunicorn reads it; 3 unless the environment says otherwise).
# Timeout 30 s: nothing long runs in a request (long work is a job, in the worker), so a
# request that takes longer is stuck and its process is better replaced.
# No control socket: gunicorn would put it in the home directory, which the user has not.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "coop.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "30", "--access-logfile", "-", "--no-control-socket"]
