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
    verbose,
)

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

# --- The data ---------------------------------------------------------------------------------


def words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


COLLEGES = [
    # code, name, weight, position
    ("salaries", "Salariés", 30, 1),
    ("usagers", "Usagers", 30, 2),
    ("soutiens", "Soutiens", 20, 3),
    ("partenaires", "Partenaires publics et privés", 20, 4),
]
CATEGORIES = [
    # code, name, compulsory, public body, usual college, position
    ("salaries", "Salariés de la coopérative", True, False, "salaries", 1),
    ("beneficiaires", "Bénéficiaires", True, False, "usagers", 2),
    ("benevoles", "Bénévoles", False, False, "soutiens", 3),
    ("collectivites", "Collectivités territoriales", False, True, "partenaires", 4),
]
FIRST_NAMES = words(
    "Marie Jean Pierre Michel Anne Philippe Nathalie Isabelle Sylvie Catherine Martine "
    "Françoise Nicolas Christophe Stéphane Sébastien Julien Céline Sandrine Valérie Laurent "
    "David Frédéric Éric Olivier Patrick Christine Monique Camille Léa Chloé Hugo Lucas Inès "
    "Manon Théo Zoé Noé Gaëlle Jérôme"
)
LAST_NAMES = words(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier "
    "Chevalier François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry "
    "Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer "
    "Dufour Meunier Martinez Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier "
    "Arnaud Martinet"
)
STREETS = words(
    "de la République|Victor Hugo|des Écoles|du Moulin|de la Gare|Jean Jaurès|des Lilas|"
    "de l'Église|du Stade|Pasteur|des Tilleuls|de la Liberté",
    "|",
)
TOWNS = [
    ("38000", "Grenoble"),
    ("69001", "Lyon"),
    ("73000", "Chambéry"),
    ("26000", "Valence"),
    ("38400", "Saint-Martin-d'Hères"),
    ("74000", "Annecy"),
    ("42000", "Saint-Étienne"),
    ("38100", "Grenoble"),
    ("63000", "Clermont-Ferrand"),
    ("07000", "Privas"),
]


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def people_sql(count: int) -> str:
    """One row per member: what their five register events are made of."""
    first = sql_array(FIRST_NAMES)
    last = sql_array(LAST_NAMES)
    streets = sql_array(STREETS)
    postcodes = sql_array([code for code, _town in TOWNS])
    towns = sql_array([town for _code, town in TOWNS])
    return f"""
    CREATE UNLOGGED TABLE bench_people AS
    WITH base AS (
        SELECT i,
               i % 25 = 0 AS legal,
               ({first})[1 + (i * 7) % {len(FIRST_NAMES)}] AS fn,
               ({last})[1 + (i * 13 + i / 97) % {len(LAST_NAMES)}] AS ln,
               ({streets})[1 + i % {len(STREETS)}] AS street,
               ({streets})[1 + (i + 5) % {len(STREETS)}] AS street2,
               1 + (i * 3) % {len(TOWNS)} AS town,
               date '2014-01-06' + (i::bigint * 3650 / {count})::int AS applied_on
        FROM generate_series(1, {count}) AS i
    )
    SELECT i,
           CASE WHEN legal THEN 'legal' ELSE 'natural' END AS person_kind,
           CASE WHEN legal THEN '' ELSE fn END AS first_name,
           CASE WHEN legal THEN '' ELSE ln END AS last_name,
           CASE WHEN legal THEN 'Commune de ' || ({towns})[town] || ' ' || i ELSE '' END
               AS legal_name,
           CASE WHEN legal THEN '2' || lpad((i::bigint * 7919 % 100000000)::text, 8, '0')
                ELSE '' END AS legal_registration,
           CASE WHEN legal THEN fn || ' ' || ln ELSE '' END AS representative_name,
           CASE WHEN legal THEN 'Maire' ELSE '' END AS representative_role,
           CASE WHEN i % 12 = 5 THEN ''
                ELSE lower(translate(fn || '.' || ln, 'éèëêïîôöüûàçÉ ', 'eeeeiioouuacE-'))
                     || i || '@exemple.fr' END AS email,
           '06 ' || lpad((i::bigint * 104729 % 100000000)::text, 8, '0') AS phone1,
           '07 ' || lpad((i::bigint * 15485863 % 100000000)::text, 8, '0') AS phone2,
           (1 + i % 180) || ' rue ' || street AS address1,
           (1 + (i * 3) % 220) || ' avenue ' || street2 AS address2,
           ({postcodes})[town] AS postal_code,
           ({towns})[town] AS city,
           CASE WHEN legal THEN 'collectivites'
                ELSE (ARRAY['salaries', 'beneficiaires', 'beneficiaires', 'benevoles'])[1 + i % 4]
           END AS category,
           1 + i % 5 AS requested_shares,
           i % 12 <> 5 AND i % 3 <> 0 AS consent,
           applied_on,
           applied_on + 21 AS admitted_on,
           applied_on + 160 AS ratified_on,
           applied_on + 400 AS contact_on,
           applied_on + 700 AS last_on,
           CASE WHEN i % 10 = 0 THEN 'exited'
                WHEN i % 10 = 1 THEN 'college_changed'
                WHEN i % 12 = 5 THEN 'contact_changed'
                ELSE 'consent_changed' END AS last_kind
    FROM base
    """


# The five register events of every member, each with the whole entry after it (snapshot).
STEPS_SQL = """
CREATE UNLOGGED TABLE bench_steps AS
WITH steps AS (
    SELECT m.id AS member_id, p.*, s.step,
           cat.code AS category_code, cat.name AS category_name,
           c1.code AS college1, c1.name AS college1_name,
           c2.code AS college2, c2.name AS college2_name
    FROM bench_people p
    JOIN members_member m ON m.number = p.i
    JOIN members_category cat ON cat.code = p.category
    JOIN members_college c1 ON c1.id = cat.default_college_id
    JOIN members_college c2 ON c2.code = CASE WHEN c1.code = 'soutiens' THEN 'usagers'
                                              ELSE 'soutiens' END
    CROSS JOIN generate_series(1, 5) AS s(step)
), entries AS (
    SELECT member_id, step,
           CASE step WHEN 1 THEN 'applied' WHEN 2 THEN 'admitted' WHEN 3 THEN 'ratified'
                     WHEN 4 THEN 'contact_changed' ELSE last_kind END AS kind,
           CASE step WHEN 1 THEN applied_on WHEN 2 THEN admitted_on WHEN 3 THEN ratified_on
                     WHEN 4 THEN contact_on ELSE last_on END AS effective_on,
           CASE step WHEN 2 THEN 'CA du ' || to_char(admitted_on, 'DD/MM/YYYY')
                     WHEN 3 THEN 'AGO du ' || to_char(ratified_on, 'DD/MM/YYYY')
                     WHEN 5 THEN CASE last_kind
                         WHEN 'exited'
                             THEN 'Lettre de démission du ' || to_char(last_on, 'DD/MM/YYYY')
                         WHEN 'college_changed' THEN 'CA du ' || to_char(last_on, 'DD/MM/YYYY')
                         ELSE '' END
                     ELSE '' END AS decision_ref,
           jsonb_build_object(
               'number', CASE WHEN step = 1 THEN NULL ELSE i END,
               'status', CASE WHEN step = 1 THEN 'applicant' WHEN step = 2 THEN 'admitted'
                              WHEN step = 5 AND last_kind = 'exited' THEN 'resigned'
                              ELSE 'ratified' END,
               'person_kind', person_kind,
               'first_name', first_name,
               'last_name', last_name,
               'legal_name', legal_name,
               'legal_registration', legal_registration,
               'representative_name', representative_name,
               'representative_role', representative_role,
               'email', email,
               'phone', CASE WHEN step < 4 THEN phone1
                             WHEN step = 5 AND last_kind = 'contact_changed' THEN phone2
                             ELSE phone1 END,
               'address', CASE WHEN step < 4 THEN address1 ELSE address2 END,
               'postal_code', postal_code,
               'city', city,
               'country', 'France',
               'category', category_code,
               'category_name', category_name,
               'college', CASE WHEN step = 1 THEN ''
                               WHEN step = 5 AND last_kind = 'college_changed' THEN college2
                               ELSE college1 END,
               'college_name', CASE WHEN step = 1 THEN ''
                                    WHEN step = 5 AND last_kind = 'college_changed'
                                        THEN college2_name
                                    ELSE college1_name END,
               'requested_shares', requested_shares,
               'e_notices', CASE WHEN step = 5 AND last_kind = 'consent_changed' THEN NOT consent
                                 ELSE consent END,
               'e_notices_changed_at',
                   CASE WHEN step = 5 AND last_kind = 'consent_changed'
                            THEN to_char(last_on, 'YYYY-MM-DD') || 'T09:30:00+00:00'
                        WHEN consent THEN to_char(applied_on, 'YYYY-MM-DD') || 'T18:12:00+00:00'
                        END,
               'applied_on', to_char(applied_on, 'YYYY-MM-DD'),
               'admitted_on', CASE WHEN step >= 2 THEN to_char(admitted_on, 'YYYY-MM-DD') END,
               'admission_ref', CASE WHEN step >= 2
                                     THEN 'CA du ' || to_char(admitted_on, 'DD/MM/YYYY')
                                     ELSE '' END,
               'ratified_on', CASE WHEN step >= 3 THEN to_char(ratified_on, 'YYYY-MM-DD') END,
               'ratification_ref', CASE WHEN step >= 3
                                        THEN 'AGO du ' || to_char(ratified_on, 'DD/MM/YYYY')
                                        ELSE '' END,
               'rejected_on', NULL,
               'rejection_reason', '',
               'exited_on', CASE WHEN step = 5 AND last_kind = 'exited'
                                 THEN to_char(last_on, 'YYYY-MM-DD') END,
               'exit_ref', CASE WHEN step = 5 AND last_kind = 'exited'
                                THEN 'Lettre de démission du ' || to_char(last_on, 'DD/MM/YYYY')
                                ELSE '' END
           ) AS snapshot
    FROM steps
)
SELECT member_id, step, kind, effective_on, decision_ref, snapshot,
       lag(snapshot) OVER (PARTITION BY member_id ORDER BY step) AS previous
FROM entries
"""

# Members: each row is its latest snapshot (the state the register events lead to).
MEMBERS_SQL = """
INSERT INTO members_member (
    number, person_kind, first_name, last_name, legal_name, legal_registration,
    representative_name, representative_role, email, phone, address, postal_code, city,
    country, language, category_id, college_id, requested_shares, e_notices,
    e_notices_changed_at, status, applied_on, admitted_on, admission_ref, ratified_on,
    ratification_ref, rejected_on, rejection_reason, exited_on, exit_ref, user_id,
    created_at, updated_at)
SELECT p.i, p.person_kind, p.first_name, p.last_name, p.legal_name, p.legal_registration,
       p.representative_name, p.representative_role, p.email,
       CASE WHEN p.last_kind = 'contact_changed' THEN p.phone2 ELSE p.phone1 END,
       p.address2, p.postal_code, p.city, 'France', 'fr', cat.id,
       CASE WHEN p.last_kind = 'college_changed' THEN c2.id ELSE c1.id END,
       p.requested_shares,
       CASE WHEN p.last_kind = 'consent_changed' THEN NOT p.consent ELSE p.consent END,
       CASE WHEN p.last_kind = 'consent_changed' THEN (p.last_on + time '09:30') AT TIME ZONE 'UTC'
            WHEN p.consent THEN (p.applied_on + time '18:12') AT TIME ZONE 'UTC' END,
       CASE WHEN p.last_kind = 'exited' THEN 'resigned' ELSE 'ratified' END,
       p.applied_on, p.admitted_on, 'CA du ' || to_char(p.admitted_on, 'DD/MM/YYYY'),
       p.ratified_on, 'AGO du ' || to_char(p.ratified_on, 'DD/MM/YYYY'), NULL, '',
       CASE WHEN p.last_kind = 'exited' THEN p.last_on END,
       CASE WHEN p.last_kind = 'exited'
            THEN 'Lettre de démission du ' || to_char(p.last_on, 'DD/MM/YYYY') ELSE '' END,
       NULL, now(), now()
FROM bench_people p
JOIN members_category cat ON cat.code = p.category
JOIN members_college c1 ON c1.id = cat.default_college_id
JOIN members_college c2 ON c2.code = CASE WHEN c1.code = 'soutiens' THEN 'usagers'
                                          ELSE 'soutiens' END
ORDER BY p.i
"""

# Events in the order they were recorded (by date), each with what it changed: the whole
# entry for the first, the keys that differ from the previous snapshot for the others.
EVENTS_SQL = """
INSERT INTO members_registerevent (
    member_id, kind, effective_on, recorded_at, actor_id, decision_ref, changes, snapshot)
SELECT s.member_id, s.kind, s.effective_on,
       (s.effective_on + time '10:00' + make_interval(secs => s.member_id % 3600))
           AT TIME ZONE 'UTC',
       NULL, s.decision_ref,
       CASE WHEN s.previous IS NULL THEN s.snapshot
            ELSE (SELECT jsonb_object_agg(key, value) FROM jsonb_each(s.snapshot)
                  WHERE s.previous -> key IS DISTINCT FROM value) END,
       s.snapshot
FROM bench_steps s
ORDER BY s.effective_on, s.member_id, s.step
"""

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

    from members.models import Category, College, MemberNumberCounter

    colleges = {
        code: College.objects.create(code=code, name=name, weight=weight, position=position)
        for code, name, weight, position in COLLEGES
    }
    for code, name, compulsory, public, college, position in CATEGORIES:
        Category.objects.create(
            code=code,
            name=name,
            compulsory=compulsory,
            is_public_body=public,
            default_college=colleges[college],
            position=position,
        )
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
