"""What the benchmark scripts share: their own databases, a register loaded in bulk, timing,
interleaved rounds, ports.

Not a benchmark itself: `make bench` runs every other script of this folder.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url(name: str) -> str:
    """The URL of the database `name` on the server DATABASE_URL names."""
    current = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voliere")
    parts = urlsplit(current)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin_url(url: str) -> str:
    return urlunsplit((*urlsplit(url)[:2], "/postgres", "", ""))


def recreate_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def bench_database(name: str) -> Iterator[str]:
    """A database of the benchmark's own, `name`, created afresh: DATABASE_URL names it,
    Django is set up (test settings unless told otherwise) and migrated. Yields its URL;
    closed and dropped afterwards, whatever happens."""
    url = database_url(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    recreate_database(url, name)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        yield url
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        drop_database(url, name)


def administrator_client(language: str = "fr"):
    """A test client signed in as an administrator with TOTP, the second factor passed in
    this session (as the administrative pages require; tests/coop/mfa.py)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group
    from django.test import Client

    from coop.models import User
    from coop.roles import sync_role_groups
    from tests.coop.mfa import activate_totp, record_sign_in

    user = User.objects.create_user(
        email="bench-admin@exemple.fr",
        password="bench password not secret",  # noqa: S106 - a throwaway database
        is_staff=True,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    sync_role_groups()
    user.groups.set(Group.objects.filter(name__in=["administrator", "member"]))
    activate_totp(user)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    record_sign_in(client, user)
    return client


def verbose(message: str) -> None:
    """Details on stderr when BENCH_VERBOSE is set; stdout keeps the one result line."""
    if os.environ.get("BENCH_VERBOSE"):
        print(f"  {message}", file=sys.stderr, flush=True)


def timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def interleaved(
    app: Callable[[], object], raw: Callable[[], object], *, rounds: int
) -> tuple[float, float]:
    """Median times of app and baseline over `rounds` alternating rounds (after one warm-up)."""
    app()
    raw()
    app_times, raw_times = [], []
    for round_number in range(rounds):
        sides = [(raw, raw_times), (app, app_times)]
        if round_number % 2:
            sides.reverse()
        for run, times in sides:
            times.append(timed(run)[0])
    verbose(f"app {[round(t * 1000, 1) for t in app_times]} ms")
    verbose(f"raw {[round(t * 1000, 1) for t in raw_times]} ms")
    return statistics.median(app_times), statistics.median(raw_times)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def delete_queue(name: str) -> None:
    """Remove a benchmark's Redis queue and kombu's bindings of it."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        keys = [*client.scan_iter(match=f"{name}*"), *client.scan_iter(match=f"_kombu.*.{name}")]
        if keys:
            client.delete(*keys)
    finally:
        client.close()


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
    large_type, created_at, updated_at)
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
       NULL, false, now(), now()
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


def load_colleges_and_categories() -> None:
    """The register's colleges and categories (COLLEGES, CATEGORIES), through the ORM."""
    from members.models import Category, College

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


def load_register(url: str, members: int) -> None:
    """A register of `members` members: colleges and categories through the ORM, members and
    their register events in bulk SQL (generate_series)."""
    import psycopg

    from members.models import MemberNumberCounter

    load_colleges_and_categories()
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
