"""Create the PostgreSQL database named by DATABASE_URL when it does not exist yet."""

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


class Command(BaseCommand):
    help = "Create the project's database if it is missing (make run / make test do this)."

    def handle(self, *args: object, **options: object) -> None:
        db = settings.DATABASES["default"]
        params = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
        }
        name = db["NAME"]
        try:
            conn = psycopg.connect(dbname="postgres", autocommit=True, **params)
        except psycopg.OperationalError as exc:
            raise CommandError(
                f"Cannot reach PostgreSQL at {params['host']}:{params['port']}: {exc}. "
                "Is it running? See README, 'Services'."
            ) from exc
        with conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists:
                self.stdout.write(f"Database {name} exists.")
                return
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self.stdout.write(self.style.SUCCESS(f"Database {name} created."))
