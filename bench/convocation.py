"""Benchmark: convening an assembly of 50,000 members, against raw SQL writing the same rows.

The app: `assembly_convene` on a draft assembly (checks, freeze of the statutes and colleges,
the roll written from the register, the convocation rendered per language and per member,
50,000 outbox rows queued, each roll entry linked to its row, the audit event), one
transaction, committed. Sending is not measured (bench/notices.py does that): the Celery
broker is not asked (the commit hook that would schedule sending is a no-op here).

The baseline, in the same run and on the same database: one transaction of raw SQL writing
the same rows: the roll (INSERT ... SELECT from the register), the notice, its 50,000 outbox
rows (one INSERT of the very rows the app wrote in its first round, subjects and bodies
included, read beforehand into Python lists: writing them without rendering or checking
anything), the links and the assembly's status.

Rounds alternate, the median of each side is kept. Prints one line:

    convocation: ratio=R target=3

R = app time / baseline time. Exits non-zero if the app's rows are wrong (a member without
exactly one copy, a roll entry not linked). Runs on a database of its own
(voliere_bench_convocation), created, bulk-loaded in SQL and dropped here.

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/convocation.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kit import database_url

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench_convocation"
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "50000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TARGET = 3


def _admin_url(url: str) -> str:
    return urlunsplit((*urlsplit(url)[:2], "/postgres", "", ""))


def recreate_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


MEMBERS_SQL = """
INSERT INTO members_member (
    number, person_kind, first_name, last_name, legal_name, legal_registration,
    representative_name, representative_role, email, phone, address, postal_code, city,
    country, language, category_id, college_id, requested_shares, e_notices,
    e_notices_changed_at, status, applied_on, admitted_on, admission_ref, ratified_on,
    ratification_ref, rejection_reason, exit_ref, created_at, updated_at
)
SELECT i, 'natural', (ARRAY['Marie','Jean','Léa','Hugo','Inès','Théo'])[1 + i %% 6],
       (ARRAY['Martin','Bernard','Durand','Lefèvre','Roux','Fournier'])[1 + i %% 6] || ' ' || i,
       '', '', '', '', CASE WHEN i %% 10 = 0 THEN '' ELSE 'membre' || i || '@bench.invalid' END,
       '', (1 + i %% 180) || ' rue des Tisserands', '69001', 'Lyon', 'France',
       CASE WHEN i %% 7 = 0 THEN 'en' ELSE 'fr' END,
       cat.id, cat.default_college_id, 1, i %% 10 <> 0 AND i %% 4 <> 0,
       CASE WHEN i %% 10 <> 0 AND i %% 4 <> 0 THEN now() END,
       'ratified', date '2020-01-01', date '2020-02-01', 'CA 2020-02', date '2020-06-01',
       'AGO 2020', '', '', now(), now()
FROM generate_series(1, %(count)s) AS i
JOIN members_category cat ON cat.position = 1 + i %% 3
"""

RAW_ROLL_SQL = """
INSERT INTO governance_rollentry (
    assembly_id, member_id, college_id, member_number, name, address, check_in_token
)
SELECT %(assembly)s, m.id, ac.id, m.number, btrim(m.first_name || ' ' || m.last_name),
       concat_ws(', ', m.address, m.postal_code || ' ' || m.city, m.country),
       md5(random()::text || m.id::text)
FROM members_member m
LEFT JOIN governance_assemblycollege ac
       ON ac.assembly_id = %(assembly)s AND ac.college_id = m.college_id
WHERE m.status IN ('admitted', 'ratified') AND m.admitted_on <= current_date
ORDER BY m.number
"""

RAW_DELIVERIES_SQL = """
INSERT INTO coop_noticedelivery (
    notice_id, recipient_key, channel, to_email, language, subject, body_text, body_html,
    status, attempts, next_attempt_at, last_error, message_id, created_at
)
SELECT %(notice)s, d.recipient_key, d.channel, d.to_email, d.language, d.subject,
       d.body_text, d.body_html, 'pending', 0, now(), '', '', now()
FROM unnest(
    %(recipient_key)s::text[], %(channel)s::text[], %(to_email)s::text[],
    %(language)s::text[], %(subject)s::text[], %(body_text)s::text[], %(body_html)s::text[]
) AS d(recipient_key, channel, to_email, language, subject, body_text, body_html)
"""

RAW_LINK_SQL = """
UPDATE governance_rollentry r SET convocation_delivery_id = d.id
FROM coop_noticedelivery d
WHERE r.assembly_id = %(assembly)s AND d.notice_id = %(notice)s
  AND d.recipient_key = 'member:' || r.member_id::text
"""


def main() -> int:
    url = database_url(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    sys.path.insert(0, str(BASE_DIR))
    recreate_database(url, BENCH_DB)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)

        import datetime as dt
        import zoneinfo
        from decimal import Decimal
        from unittest import mock

        from django.db import connection, transaction
        from django.utils import timezone

        from coop.models import Notice, NoticeDelivery, Statutes
        from governance.models import AgendaItem, Assembly, AssemblyCollege, Resolution
        from governance.services.convocation import assembly_convene
        from members.models import Category, College

        paris = zoneinfo.ZoneInfo("Europe/Paris")
        Statutes.objects.create(
            effective_from=dt.date(2020, 1, 1),
            decision_ref="AGE 2020",
            name="Volière Patrimoines Vivants",
            registered_office="12 rue des Tisserands, 69001 Lyon",
        )
        for position, (code, name, weight) in enumerate(
            [
                ("salaries", "Salariés", 40),
                ("usagers", "Usagers", 35),
                ("soutiens", "Soutiens", 25),
            ],
            start=1,
        ):
            college = College.objects.create(
                code=code, name=name, weight=Decimal(weight), position=position
            )
            Category.objects.create(
                code=code, name=name, position=position, default_college=college
            )
        with connection.cursor() as cursor:
            cursor.execute(MEMBERS_SQL, {"count": MEMBERS})
            cursor.execute("ANALYZE")

        def draft() -> Assembly:
            day = timezone.localdate() + dt.timedelta(days=30)
            starts = dt.datetime.combine(day, dt.time(18), tzinfo=paris)
            assembly = Assembly.objects.create(
                title="Assemblée générale ordinaire",
                kind="ordinary",
                starts_at=starts,
                place="Salle des Tisserands, 69001 Lyon",
                distance_vote_deadline=starts - dt.timedelta(days=1),
            )
            for position in (1, 2, 3):
                item = AgendaItem.objects.create(
                    assembly=assembly,
                    position=position,
                    title=f"Point {position} de l'ordre du jour",
                )
                Resolution.objects.create(
                    assembly=assembly,
                    agenda_item=item,
                    number=position,
                    title=f"Résolution {position}",
                    text="L'assemblée générale, après avoir entendu le rapport du conseil, "
                    "approuve les comptes et l'affectation du résultat. " * 3,
                    majority_kind="ordinary",
                )
            return assembly

        model_notice: list[int] = []
        model_rows: list[dict[str, list[str]]] = []
        columns = (
            "recipient_key",
            "channel",
            "to_email",
            "language",
            "subject",
            "body_text",
            "body_html",
        )

        def app_round() -> float:
            assembly = draft()
            start = time.perf_counter()
            with mock.patch("coop.outbox.enqueue.schedule_sending"):
                assembly_convene(assembly=assembly, actor=None)
            elapsed = time.perf_counter() - start
            assembly.refresh_from_db()
            if not model_notice:
                model_notice.append(assembly.convocation_notice_id)
                rows = NoticeDelivery.objects.filter(notice_id=model_notice[0]).order_by("id")
                values = list(rows.values_list(*columns))
                model_rows.append({c: [row[i] for row in values] for i, c in enumerate(columns)})
            return elapsed

        def raw_round() -> float:
            assembly = draft()
            start = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM governance_assembly WHERE id = %s FOR UPDATE", [assembly.pk]
                )
                cursor.execute(
                    "INSERT INTO governance_assemblycollege (assembly_id, college_id, name, "
                    "weight, position) SELECT %s, id, name, weight, position "
                    "FROM members_college",
                    [assembly.pk],
                )
                cursor.execute(RAW_ROLL_SQL, {"assembly": assembly.pk})
                cursor.execute(
                    "INSERT INTO coop_notice (kind, reference, created_at) "
                    "VALUES ('bench', %s, now()) RETURNING id",
                    [f"raw:{assembly.pk}"],
                )
                notice = cursor.fetchone()[0]
                cursor.execute(RAW_DELIVERIES_SQL, {"notice": notice, **model_rows[0]})
                cursor.execute(RAW_LINK_SQL, {"assembly": assembly.pk, "notice": notice})
                cursor.execute(
                    "UPDATE governance_assembly SET status = 'convened', statutes_id = %s, "
                    "convened_at = now() WHERE id = %s",
                    [Statutes.objects.get().pk, assembly.pk],
                )
            return time.perf_counter() - start

        app: list[float] = [app_round()]  # the first app round also renders the model bodies
        raw: list[float] = []
        for round_number in range(ROUNDS):
            sides = [("raw", raw_round, raw), ("app", app_round, app)]
            if round_number % 2:
                sides.reverse()
            for _name, run, results in sides:
                results.append(run())
        app = app[1:] if len(app) > ROUNDS else app

        # Every member of every assembly the app convened: exactly one copy, linked.
        problems = 0
        for assembly in Assembly.objects.exclude(convocation_notice=None):
            notice = assembly.convocation_notice
            copies = NoticeDelivery.objects.filter(notice=notice).count()
            linked = assembly.roll.filter(convocation_delivery__notice=notice).count()
            if not (copies == linked == assembly.roll.count() == MEMBERS):
                problems += 1
        emails = NoticeDelivery.objects.filter(
            notice_id=model_notice[0], channel=NoticeDelivery.Channel.EMAIL
        ).count()
        rolls = AssemblyCollege.objects.values("assembly").distinct().count()
        notices = Notice.objects.count()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        drop_database(url, BENCH_DB)

    ratio = statistics.median(app) / statistics.median(raw)
    print(f"convocation: ratio={ratio:.2f} target={TARGET}")
    if os.environ.get("BENCH_VERBOSE"):
        print(f"  app s: {[round(x, 2) for x in app]}  raw s: {[round(x, 2) for x in raw]}")
        print(f"  e-mails: {emails} of {MEMBERS}; assemblies: {rolls}; notices: {notices}")
    if problems:
        print(f"convocation: FAILED {problems} assemblies with a wrong roll", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
