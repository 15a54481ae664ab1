"""Benchmark: the member register with 100,000 members and 500,000 register events.

Two measures, each against a raw SQL baseline run in the same process, on the same database:

- register_list: the first page of the register list with a filter and a search
  (GET members:register ?q=martin&status=ratified), served by the real view through the test
  client with a signed-in administrator (TOTP on), vs. the raw SQL the page needs (the count of
  matching entries and the 50 rows of the first page, with their category and college).
- register_csv: the register-at-date CSV export of the whole register, as its job writes it
  (members.exports.register_csv_write, into a file), vs. one raw SQL query producing the same
  rows, written with the csv module to an in-memory buffer.

Rounds alternate app and baseline; the median of each side is kept. Prints two lines:

    register_list: ratio=R target=3
    register_csv: ratio=R target=2

R = app time / baseline time. Exits non-zero if the app's output is wrong (rows of the page or
of the CSV differ from the baseline's). Runs on a database of its own (voliere_bench_register),
created, bulk-loaded in SQL (generate_series) and dropped here.

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/register.py
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from kit import (
    database_url,
    drop_database,
    interleaved,
    recreate_database,
    register_structure,
    verbose,
)
from register_kit import CATEGORIES, COLLEGES, EVENTS_SQL, MEMBERS_SQL, STEPS_SQL, people_sql

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench_register"
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
LIST_TARGET = 3
CSV_TARGET = 2
SEARCH = "martin"
STATUS = "ratified"
PAGE_SIZE = 50
# CSV columns the app shows through a label, a name or the local time, not as stored.
SHOWN = {"status", "person_kind", "category", "college", "e_notices", "e_notices_changed_at"}

# --- The baselines ----------------------------------------------------------------------------

# The page's search as the app writes it (`icontains`): UPPER() LIKE UPPER() is also faster
# than ILIKE here, so the baseline is the better of the two.
LIST_WHERE = """
    WHERE m.status = %(status)s
      AND (UPPER(m.last_name) LIKE UPPER(%(like)s) OR UPPER(m.first_name) LIKE UPPER(%(like)s)
           OR UPPER(m.legal_name) LIKE UPPER(%(like)s) OR UPPER(m.email) LIKE UPPER(%(like)s))
"""
LIST_COUNT_SQL = "SELECT count(*) FROM members_member m" + LIST_WHERE
LIST_PAGE_SQL = (
    """
    SELECT m.id, m.number, m.person_kind, m.first_name, m.last_name, m.legal_name, m.email,
           m.status, cat.name, col.name
    FROM members_member m
    JOIN members_category cat ON cat.id = m.category_id
    LEFT JOIN members_college col ON col.id = m.college_id
"""
    + LIST_WHERE
    + """
    ORDER BY m.number, m.last_name, m.legal_name, m.id
    LIMIT %(limit)s
"""
)


def csv_sql(keys: tuple[str, ...]) -> str:
    """The register on a date: each member's latest event up to it (one backward step in the
    replay index), numbered entries only, by number; the snapshot's values as text."""
    columns = ", ".join(f"e.snapshot ->> '{key}'" for key in keys)
    return f"""
    SELECT {columns}
    FROM members_member m
    CROSS JOIN LATERAL (
        SELECT snapshot FROM members_registerevent
        WHERE member_id = m.id AND effective_on <= %(on)s
        ORDER BY effective_on DESC, id DESC
        LIMIT 1) e
    WHERE e.snapshot -> 'number' <> 'null'::jsonb
    ORDER BY e.snapshot -> 'number'
    """


# --- The benchmark ----------------------------------------------------------------------------


def load(url: str, members: int = MEMBERS) -> None:
    """Colleges and categories through the ORM, members and events in bulk SQL."""
    import psycopg

    from members.models import MemberNumberCounter

    register_structure(COLLEGES, CATEGORIES)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET work_mem = '256MB'")
        conn.execute(people_sql(members))
        conn.execute(MEMBERS_SQL)
        conn.execute(STEPS_SQL)
        conn.execute(EVENTS_SQL)
        conn.execute("DROP TABLE bench_steps")
        conn.execute("DROP TABLE bench_people")
        conn.execute("VACUUM ANALYZE members_member")
        conn.execute("VACUUM ANALYZE members_registerevent")
    MemberNumberCounter.objects.update_or_create(pk=1, defaults={"last_number": members})
    verbose(f"loaded {members} members in {time.perf_counter() - started:.1f}s")


def administrator():
    """A signed-in administrator with a TOTP authenticator, as tests/coop/mfa.py makes one."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group
    from django.test import Client

    from coop.models import User
    from coop.roles import sync_role_groups

    user = User.objects.create_user(
        email="bench-admin@exemple.fr",
        password="bench password not secret",  # noqa: S106 - a throwaway database
        is_staff=True,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    sync_role_groups()
    user.groups.set(Group.objects.filter(name__in=["administrator", "member"]))
    TOTP.activate(user, generate_totp_secret())
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(user)
    return client


def main() -> int:
    url = database_url(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    sys.path.insert(0, str(BASE_DIR))

    recreate_database(url, BENCH_DB)
    problems: list[str] = []
    try:
        import django

        django.setup()
        import psycopg
        from django.core.management import call_command
        from django.urls import reverse
        from django.utils import timezone

        from members.exports import register_csv_write
        from members.services import SNAPSHOT_FIELDS

        call_command("migrate", verbosity=0, interactive=False)
        load(url)
        client = administrator()
        raw = psycopg.connect(url, autocommit=True)

        # --- register_list
        list_url = reverse("members:register")
        list_params = {"q": SEARCH, "status": STATUS, "page": "1"}
        list_args = {"status": STATUS, "like": f"%{SEARCH}%", "limit": PAGE_SIZE}

        def app_list():
            response = client.get(list_url, list_params)
            if response.status_code != 200:
                raise SystemExit(f"register_list: the page answered {response.status_code}")
            return response.content.decode()

        def raw_list():
            with raw.cursor() as cursor:
                total = cursor.execute(LIST_COUNT_SQL, list_args).fetchone()[0]
                rows = cursor.execute(LIST_PAGE_SQL, list_args).fetchall()
            return total, rows

        list_app, list_raw = interleaved(app_list, raw_list, rounds=ROUNDS)
        page = app_list()
        total, rows = raw_list()
        shown = re.findall(r'<td class="num">(\d+)</td>', page)
        expected = [str(row[1]) for row in rows]
        if shown != expected:
            problems.append(
                f"register_list: the page shows {len(shown)} entries {shown[:3]}..., "
                f"the baseline {len(expected)} {expected[:3]}..."
            )
        if not re.search(rf"\b{total}\b", page.replace("\u202f", "").replace("\xa0", "")):
            problems.append(f"register_list: the page does not show the count {total}")
        verbose(f"list: {total} matches, {len(rows)} rows on the page")

        # --- register_csv
        on = timezone.localdate()
        keys = tuple(SNAPSHOT_FIELDS)
        query = csv_sql(keys)
        csv_path = Path(tempfile.mkdtemp(prefix="bench-register-")) / "register.csv"

        def app_csv():
            register_csv_write(on=on, path=csv_path)
            return csv_path.read_bytes()

        def raw_csv():
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
            writer.writerow(keys)
            with raw.cursor() as cursor:
                cursor.execute(query, {"on": on})
                count = 0
                for row in cursor:
                    writer.writerow(row)
                    count += 1
            return count, buffer.getvalue()

        csv_app, csv_raw = interleaved(app_csv, raw_csv, rounds=ROUNDS)
        content = app_csv()
        count, text = raw_csv()
        app_rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))[1:]
        raw_rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
        if len(app_rows) != count or len(raw_rows) != count:
            problems.append(f"register_csv: the app wrote {len(app_rows)} rows, baseline {count}")
        elif count != MEMBERS:
            problems.append(f"register_csv: {count} rows for {MEMBERS} members")
        elif any(len(row) != len(keys) for row in app_rows):
            problems.append("register_csv: the app's rows do not have one cell per field")
        else:
            # Same entries in the same order, with the same values wherever the app writes the
            # value as stored (no label, name or time zone; no cell of this data starts like a
            # formula).
            same = [i for i, key in enumerate(keys) if key not in SHOWN]
            for line, (app_row, raw_row) in enumerate(zip(app_rows, raw_rows, strict=True), 2):
                if [app_row[i] for i in same] != [raw_row[i] for i in same]:
                    problems.append(
                        f"register_csv: line {line} differs: {app_row} != baseline {raw_row}"
                    )
                    break
        verbose(f"csv: {count} rows, {len(content)} bytes")
        raw.close()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        drop_database(url, BENCH_DB)

    print(f"register_list: ratio={list_app / list_raw:.2f} target={LIST_TARGET}")
    print(f"register_csv: ratio={csv_app / csv_raw:.2f} target={CSV_TARGET}")
    verbose(
        f"list app {list_app * 1000:.1f} ms raw {list_raw * 1000:.1f} ms; "
        f"csv app {csv_app * 1000:.0f} ms raw {csv_raw * 1000:.0f} ms"
    )
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
