"""Benchmark: public gatherings with 10,000 gatherings and 500,000 registrations.

Two measures, each against a raw SQL baseline run in the same process, on the same database:

- gatherings_list: the first page of the public list of gatherings (GET heritage:gatherings),
  served by the real view through the test client to a visitor, vs. the raw SQL the page needs
  (the communities of the filter, the count of listed gatherings and the 20 rows of the page
  with their community). After the warm-up round, the view serves a visitor's filter options
  and results from the cache (kept until a community, a gathering or a seat changes): what is
  timed is the page a visitor gets between two changes, one read of the cache and no query.
- gatherings_ical: the iCal feed of all public gatherings (GET heritage:feed), vs. the same
  raw query (the gatherings of the feed with their community). After the warm-up round, the
  feed comes from the cache (kept per version of the gatherings, day and language): one read
  of the cache and no query.

Rounds alternate app and baseline; the median of each side is kept. Prints two lines:

    gatherings_list: ratio=R target=3
    gatherings_ical: ratio=R target=2

R = app time / baseline time. Exits non-zero if the app's output is wrong (the page or the
feed does not show the baseline's gatherings, in its order). Runs on a database of its own
(voliere_bench_gatherings), created, bulk-loaded in SQL (generate_series) and dropped here.

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/gatherings.py
"""

from __future__ import annotations

import os
import re
import sys
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
BENCH_DB = "voliere_bench_gatherings"
GATHERINGS = int(os.environ.get("BENCH_GATHERINGS", "10000"))
PER_GATHERING = int(os.environ.get("BENCH_REGISTRATIONS_PER_GATHERING", "50"))
COMMUNITIES = 50
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
LIST_TARGET = 3
ICAL_TARGET = 2
PAGE_SIZE = 20
SEATS = 35  # confirmed registrations per gathering; then 10 waiting, then cancellations

# --- The data ---------------------------------------------------------------------------------

COMMUNITIES_SQL = f"""
INSERT INTO heritage_heritagecommunity (name, slug, territory, description, created_at)
SELECT 'Communauté ' || i, 'communaute-' || i, 'Territoire ' || (i % 7), 'Patrimoine vivant.',
       now()
FROM generate_series(1, {COMMUNITIES}) AS i
"""

# Gatherings from 200 days ago to 400 days ahead, one public in five kept for members, one in
# twenty cancelled, the past ones held.
GATHERINGS_SQL = f"""
INSERT INTO heritage_gathering (
    community_id, title, description, kind, starts_at, ends_at, place, capacity, accessibility,
    visibility, registration_deadline, status, organiser_id, seats_taken, sequence,
    published_at, created_at, updated_at)
SELECT c.id,
       (ARRAY['Balade', 'Visite', 'Rencontre'])[1 + i % 3] || ' n° ' || i,
       'Découverte du patrimoine, étape ' || i || '.',
       (ARRAY['walk', 'visit', 'meeting'])[1 + i % 3],
       s.starts_at, s.starts_at + interval '2 hours',
       i || ' place du Marché, Lyon', {SEATS},
       'Chemin plat, sièges disponibles.',
       CASE WHEN i % 5 = 0 THEN 'members' ELSE 'public' END,
       NULL,
       CASE WHEN s.starts_at < now() THEN 'held' WHEN i % 20 = 7 THEN 'cancelled'
            ELSE 'published' END,
       %(organiser)s, {SEATS}, 0, now() - interval '300 days', now(), now()
FROM generate_series(1, {GATHERINGS}) AS i
CROSS JOIN LATERAL (
    SELECT date_trunc('hour', now()) - interval '200 days'
           + make_interval(mins => (i::bigint * 600 * 24 * 60 / {GATHERINGS})::int) AS starts_at
) AS s
JOIN heritage_heritagecommunity c ON c.slug = 'communaute-' || (1 + i % {COMMUNITIES})
ORDER BY i
"""

REGISTRATIONS_SQL = f"""
INSERT INTO heritage_registration (
    gathering_id, user_id, guest_name, guest_email, language, status, position,
    offer_expires_at, attended, created_at, confirmed_at, cancelled_at)
SELECT g.id, NULL, 'Invité ' || n, 'invite' || n || '.' || g.id || '@exemple.fr', 'fr',
       CASE WHEN n <= {SEATS} THEN 'confirmed' WHEN n <= {SEATS + 10} THEN 'waiting'
            ELSE 'cancelled' END,
       CASE WHEN n > {SEATS} THEN n - {SEATS} END,
       NULL, NULL, g.published_at + make_interval(mins => n),
       CASE WHEN n <= {SEATS} THEN g.published_at + make_interval(mins => n) END,
       CASE WHEN n > {SEATS + 10} THEN g.published_at + make_interval(days => 1) END
FROM heritage_gathering g
CROSS JOIN generate_series(1, {PER_GATHERING}) AS n
ORDER BY g.id, n
"""

# --- The baselines ----------------------------------------------------------------------------

COMMUNITY_OPTIONS_SQL = "SELECT id, slug, name FROM heritage_heritagecommunity ORDER BY name"
LIST_WHERE = """
    WHERE g.status IN ('published', 'cancelled', 'held') AND g.visibility = 'public'
      AND g.ends_at >= %(since)s
"""
LIST_COUNT_SQL = "SELECT count(*) FROM heritage_gathering g" + LIST_WHERE
LIST_PAGE_SQL = (
    """
    SELECT g.id, g.title, g.starts_at, g.place, g.status, g.visibility, g.capacity,
           g.seats_taken, c.name
    FROM heritage_gathering g
    JOIN heritage_heritagecommunity c ON c.id = g.community_id
"""
    + LIST_WHERE
    + """
    ORDER BY g.starts_at, g.id
    LIMIT %(limit)s
"""
)
FEED_SQL = """
    SELECT g.id, g.title, g.description, g.starts_at, g.ends_at, g.place, g.accessibility,
           g.status, g.sequence, g.updated_at, c.name
    FROM heritage_gathering g
    JOIN heritage_heritagecommunity c ON c.id = g.community_id
    WHERE g.status IN ('published', 'cancelled', 'held') AND g.visibility = 'public'
      AND g.starts_at >= %(since)s
    ORDER BY g.starts_at, g.id
    LIMIT %(limit)s
"""

# --- The benchmark ----------------------------------------------------------------------------


def load(url: str) -> None:
    """An organiser through the ORM; communities, gatherings and registrations in bulk SQL."""
    import psycopg

    from coop.models import User

    organiser = User.objects.create_user(email="organisatrice@exemple.fr", password=None)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET work_mem = '256MB'")
        conn.execute(COMMUNITIES_SQL)
        conn.execute(GATHERINGS_SQL.replace("%(organiser)s", str(int(organiser.pk))))
        conn.execute(REGISTRATIONS_SQL)
        for table in ("heritage_heritagecommunity", "heritage_gathering", "heritage_registration"):
            conn.execute(f"VACUUM ANALYZE {table}")
        total = conn.execute("SELECT count(*) FROM heritage_registration").fetchone()[0]
    verbose(
        f"loaded {GATHERINGS} gatherings, {total} registrations "
        f"in {time.perf_counter() - started:.1f}s"
    )


def main() -> int:
    url = database_url(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    sys.path.insert(0, str(BASE_DIR))

    recreate_database(url, BENCH_DB)
    problems: list[str] = []
    try:
        import datetime as dt

        import django

        django.setup()
        import psycopg
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone
        from icalendar import Calendar

        from heritage.selectors import FEED_MAX_EVENTS, FEED_PAST_DAYS

        call_command("migrate", verbosity=0, interactive=False)
        load(url)
        client = Client(HTTP_ACCEPT_LANGUAGE="fr")
        raw = psycopg.connect(url, autocommit=True)

        # --- gatherings_list: a visitor's first page, from today on
        list_url = reverse("heritage:gatherings")
        zone = timezone.get_current_timezone()
        since = dt.datetime.combine(timezone.localdate(), dt.time.min, tzinfo=zone)
        list_args = {"since": since, "limit": PAGE_SIZE}

        def app_list():
            response = client.get(list_url)
            if response.status_code != 200:
                raise SystemExit(f"gatherings_list: the page answered {response.status_code}")
            return response.content.decode()

        def raw_list():
            with raw.cursor() as cursor:
                communities = cursor.execute(COMMUNITY_OPTIONS_SQL).fetchall()
                total = cursor.execute(LIST_COUNT_SQL, list_args).fetchone()[0]
                rows = cursor.execute(LIST_PAGE_SQL, list_args).fetchall()
            return communities, total, rows

        list_app, list_raw = interleaved(app_list, raw_list, rounds=ROUNDS)
        page = app_list()
        _communities, total, rows = raw_list()
        shown = [int(pk) for pk in re.findall(r'href="/heritage/gatherings/(\d+)/"', page)]
        expected = [row[0] for row in rows]
        if shown != expected:
            problems.append(
                f"gatherings_list: the page shows {shown[:3]}..., the baseline {expected[:3]}..."
            )
        if not re.search(rf"\b{total}\b", page.replace("\u202f", "").replace("\xa0", "")):
            problems.append(f"gatherings_list: the page does not show the count {total}")
        verbose(f"list: {total} gatherings listed, {len(rows)} on the page")

        # --- gatherings_ical: the feed of all public gatherings
        feed_url = reverse("heritage:feed")

        def app_feed():
            response = client.get(feed_url)
            if response.status_code != 200:
                raise SystemExit(f"gatherings_ical: the feed answered {response.status_code}")
            return response.content

        def raw_feed():
            feed_args = {
                "since": timezone.now() - dt.timedelta(days=FEED_PAST_DAYS),
                "limit": FEED_MAX_EVENTS,
            }
            with raw.cursor() as cursor:
                return cursor.execute(FEED_SQL, feed_args).fetchall()

        ical_app, ical_raw = interleaved(app_feed, raw_feed, rounds=ROUNDS)
        calendar = Calendar.from_ical(app_feed())
        uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
        expected_uids = [f"gathering-{row[0]}@" for row in raw_feed()]
        if len(uids) != len(expected_uids) or not all(
            uid.startswith(prefix) for uid, prefix in zip(uids, expected_uids, strict=False)
        ):
            problems.append(
                f"gatherings_ical: the feed has {len(uids)} events {uids[:2]}..., "
                f"the baseline {len(expected_uids)} {expected_uids[:2]}..."
            )
        verbose(f"ical: {len(uids)} events")
        raw.close()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        if os.environ.get("BENCH_KEEP"):
            verbose(f"kept the database {BENCH_DB}")
        else:
            drop_database(url, BENCH_DB)

    print(f"gatherings_list: ratio={list_app / list_raw:.2f} target={LIST_TARGET}")
    print(f"gatherings_ical: ratio={ical_app / ical_raw:.2f} target={ICAL_TARGET}")
    verbose(
        f"list app {list_app * 1000:.1f} ms raw {list_raw * 1000:.1f} ms; "
        f"ical app {ical_app * 1000:.1f} ms raw {ical_raw * 1000:.1f} ms"
    )
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
