"""Benchmark: the tally of a secret ballot with 1,000,000 ballots, against raw SQL.

One assembly whose vote is closed (status voting_closed, statutes and three colleges frozen,
weights 40/30/30), two resolutions of 500,000 ballots each, loaded in bulk SQL
(generate_series; random UUID keys, receipts the SHA-256 hex of the ballot's number, rows
written in "cast" order, both resolutions of a voter together, as casts write them), with the
table's indexes and constraints made again after the load, then VACUUM ANALYZE of the ballot
table only: the two-row resolution table is left unanalysed, as autovacuum leaves it.

What is measured, each side timed alone in the same process, on the same database:

- app: the whole `governance.services.voting.assembly_tally(assembly=...)`, as the Celery task
  runs it and nothing left out: the assembly row locked, the check that it is not tallied yet,
  the counts per resolution, college and choice (`_college_counts`), the exact weighted
  arithmetic (`tally_compute`), the results written (`ResolutionResult`, one per resolution),
  the audit event, the commit. The tally
  refuses to run twice, so before each run (untimed) the previous run's results are deleted
  with raw SQL (the results' append-only trigger is disabled on the benchmark's own database
  for that); the benchmark never touches the ballots.
- baseline: `SELECT resolution_id, college_id, choice, count(*) FROM governance_ballot
  GROUP BY 1, 2, 3`, all rows fetched, on a psycopg connection of its own (autocommit).

Rounds run app and baseline (and the third side below) in an order that turns from round to
round, after a warm-up; the median of each side is kept. Prints one line:

    tally: ratio=R target=1.5

R = app time / baseline time. The medians are printed on stderr, for information. (The seal
of the urn, which moves the ballots into the box in key order, runs at the close, not in the
tally: the ballots are loaded straight into the box here.) Exits non-zero if the
app's counts (stored in each result's arithmetic per college) differ from the baseline's.
Runs on a database of its own (voliere_bench_tally), created, bulk-loaded and dropped here
(kept with BENCH_KEEP=1).

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/tally.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from kit import database_url, drop_database, recreate_database, verbose

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench_tally"
REDIS_DB = "redis://127.0.0.1:6379/15"
BALLOTS = int(os.environ.get("BENCH_BALLOTS", "1000000"))
RESOLUTIONS = 2
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
TARGET = 1.5

# --- The data ---------------------------------------------------------------------------------

COLLEGES = [
    # code, name, weight, position
    ("salaries", "Salariés", 40, 1),
    ("usagers", "Usagers", 30, 2),
    ("soutiens", "Soutiens", 30, 3),
]

# Voter i (1..BALLOTS / RESOLUTIONS) is in college 1 (40 % of the voters), 2 or 3 (30 % each)
# and chooses on each resolution from a mix that differs by college and resolution, so that no
# count is like another. Ballots are inserted in the voters' order: the order of the casts.
BALLOTS_SQL = """
INSERT INTO governance_ballot (id, resolution_id, college_id, choice, receipt)
SELECT gen_random_uuid(), r.id,
       (%(colleges)s::bigint[])[CASE WHEN v.i %% 10 < 4 THEN 1 WHEN v.i %% 10 < 7 THEN 2
                                     ELSE 3 END],
       (ARRAY['for', 'for', 'for', 'against', 'abstain', 'for', 'against'])
           [1 + (v.i * 7 + r.number * 3 + v.i / 10) %% 7],
       encode(sha256(convert_to('voliere-bench:' || r.id || ':' || v.i, 'UTF8')), 'hex')
FROM generate_series(1, %(voters)s) AS v(i)
CROSS JOIN governance_resolution r
WHERE r.assembly_id = %(assembly)s
ORDER BY v.i, r.number
"""

RAW_SQL = (
    "SELECT resolution_id, college_id, choice, count(*) FROM governance_ballot GROUP BY 1, 2, 3"
)

# --- The benchmark ----------------------------------------------------------------------------


def load(url: str):
    """Statutes, colleges, a closed assembly and its resolutions through the ORM; the ballots
    in bulk SQL."""
    import psycopg
    from django.utils import timezone

    from coop.models import Statutes
    from governance.models import AgendaItem, Assembly, AssemblyCollege, Resolution
    from members.models import College

    statutes = Statutes.objects.create(
        effective_from=dt.date(2020, 1, 1),
        decision_ref="AGE du 6 janvier 2020",
        name="Coopérative d'essai",
        registered_office="1 place de la Mairie, 38000 Grenoble",
    )
    colleges = [
        College.objects.create(code=code, name=name, weight=weight, position=position)
        for code, name, weight, position in COLLEGES
    ]
    now = timezone.now()
    starts_at = now - dt.timedelta(hours=2)
    assembly = Assembly.objects.create(
        title="Assemblée générale ordinaire",
        kind=Assembly.Kind.ORDINARY,
        starts_at=starts_at,
        place="Salle des fêtes, 38000 Grenoble",
        distance_vote_deadline=starts_at - dt.timedelta(days=1),
        status=Assembly.Status.DRAFT,  # closed below, once its agenda is written
        statutes=statutes,
        convened_at=now - dt.timedelta(days=30),
        meeting_opened_at=starts_at,
        voting_opened_at=starts_at + dt.timedelta(minutes=30),
        voting_closed_at=now - dt.timedelta(minutes=5),
    )
    frozen = [
        AssemblyCollege.objects.create(
            assembly=assembly,
            college=college,
            name=college.name,
            weight=Decimal(college.weight),
            position=college.position,
        )
        for college in colleges
    ]
    item = AgendaItem.objects.create(assembly=assembly, position=1, title="Comptes de l'exercice")
    for number in range(1, RESOLUTIONS + 1):
        Resolution.objects.create(
            assembly=assembly,
            agenda_item=item,
            number=number,
            title=f"Résolution {number}",
            text=f"L'assemblée générale approuve le point {number}.",
            majority_kind=Assembly.Kind.ORDINARY,
        )
    assembly.status = Assembly.Status.VOTING_CLOSED
    assembly.save(update_fields=["status"])
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET work_mem = '256MB'")
        # The table's own indexes and constraints, as the migrations made them, are dropped
        # for the load and made again after it, identical: far faster than 1,000,000 inserts
        # into six indexes and as many deferred foreign-key checks.
        constraints = conn.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'governance_ballot'::regclass ORDER BY contype = 'f', conname"
        ).fetchall()
        named = {name for name, _kind, _definition in constraints}
        indexes = [
            definition
            for name, definition in conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'governance_ballot'"
            )
            if name not in named
        ]
        for name, _kind, _definition in reversed(constraints):
            conn.execute(f'ALTER TABLE governance_ballot DROP CONSTRAINT "{name}"')
        for (statement,) in conn.execute(
            "SELECT format('DROP INDEX %I', indexname) FROM pg_indexes "
            "WHERE tablename = 'governance_ballot'"
        ).fetchall():
            conn.execute(statement)
        conn.execute(
            BALLOTS_SQL,
            {
                "colleges": [c.pk for c in frozen],
                "voters": BALLOTS // RESOLUTIONS,
                "assembly": assembly.pk,
            },
        )
        for name, _kind, definition in constraints:
            conn.execute(f'ALTER TABLE governance_ballot ADD CONSTRAINT "{name}" {definition}')
        for definition in indexes:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE governance_ballot")
        # Results are append-only; this database of its own deletes them between rounds.
        conn.execute(
            "ALTER TABLE governance_resolutionresult "
            "DISABLE TRIGGER governance_resolutionresult_append_only"
        )
    verbose(f"loaded {BALLOTS} ballots in {time.perf_counter() - started:.1f}s")
    return assembly


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def rounds(sides: dict[str, Callable[[], object]], reset: Callable[[str], object]):
    """The median time of each side over ROUNDS rounds (after a warm-up), the order of the
    sides turning from round to round; `reset(side)` runs, untimed, before every run."""
    names = list(sides)
    for name in names:
        reset(name)
        sides[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(ROUNDS):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            reset(name)
            times[name].append(timed(sides[name]))
    for name, values in times.items():
        verbose(f"{name} {[round(t * 1000) for t in values]} ms")
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    url = database_url(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = REDIS_DB
    os.environ["CELERY_BROKER_URL"] = REDIS_DB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    sys.path.insert(0, str(BASE_DIR))

    recreate_database(url, BENCH_DB)
    problems: list[str] = []
    try:
        import django

        django.setup()
        import psycopg
        from django.core.management import call_command
        from django.db import connection

        import governance.services.voting as voting
        from governance.models import ResolutionResult

        call_command("migrate", verbosity=0, interactive=False)
        assembly = load(url)
        raw = psycopg.connect(url, autocommit=True)

        def reset(side: str) -> None:
            if side == "raw":
                return
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM governance_resolutionresult WHERE resolution_id IN "
                    "(SELECT id FROM governance_resolution WHERE assembly_id = %s)",
                    [assembly.pk],
                )

        def app():
            return voting.assembly_tally(assembly=assembly)

        def raw_count():
            with raw.cursor() as cursor:
                return cursor.execute(RAW_SQL).fetchall()

        medians = rounds({"raw": raw_count, "app": app}, reset)

        # --- The app's counts (of its last run) are the baseline's.
        expected = {(r, c, choice): n for r, c, choice, n in raw_count()}
        if sum(expected.values()) != BALLOTS:
            problems.append(f"tally: {sum(expected.values())} ballots loaded, not {BALLOTS}")
        counted = {}
        results = ResolutionResult.objects.filter(resolution__assembly=assembly)
        for result in results:
            for line in result.colleges:
                for choice in ("for", "against", "abstain"):
                    if line[choice]:
                        counted[(result.resolution_id, int(line["key"]), choice)] = line[choice]
            total = result.votes_for + result.votes_against + result.abstentions
            if total != BALLOTS // RESOLUTIONS:
                problems.append(f"tally: resolution {result.resolution_id} counts {total}")
        if len(results) != RESOLUTIONS:
            problems.append(f"tally: {len(results)} results for {RESOLUTIONS} resolutions")
        if counted != expected:
            problems.append(f"tally: the app counted {counted}, the baseline {expected}")
        raw.close()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        if not os.environ.get("BENCH_KEEP"):
            drop_database(url, BENCH_DB)

    app_time, raw_time = medians["app"], medians["raw"]
    print(f"tally: ratio={app_time / raw_time:.2f} target={TARGET}")
    print(
        f"  tally (information): medians: tally {app_time * 1000:.0f} ms, raw GROUP BY "
        f"{raw_time * 1000:.0f} ms",
        file=sys.stderr,
    )
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
