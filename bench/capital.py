"""Benchmark: the share capital with 1,000,000 share movements over 100,000 members.

Two measures, each against a raw SQL baseline run in the same process, on the same database:

- capital_at: the subscribed capital at the end of a date, read by the app's selector
  (`capital.selectors.capital_at`) for three dates (early, middle and late in the ledger) vs.
  the raw aggregate `SELECT sum(amount) FROM capital_sharemovement WHERE effective_on <= d`
  for the same three dates.
- balances: every member's holding on a date (shares, subscribed, paid), as the app's selector
  `capital.selectors.balances_at` returns it vs. the raw GROUP BY over the same table, rows
  fetched.
- balances_page: one page (50 members, in the middle of the register) of the administrators'
  balances page, as its selector `capital.selectors.holdings_page` reads it (the count, the
  page of members, their sums) vs. the same three queries in raw SQL.

Rounds alternate app and baseline; the median of each side is kept. Prints three lines:

    capital_at: ratio=R target=1.5
    balances: ratio=R target=1.5
    balances_page: ratio=R target=1.5

R = app time / baseline time. Exits non-zero if the app's figures differ from the baseline's,
or if the loaded ledger is not one the app could have written. Runs on a database of its own
(voliere_bench_capital), created, bulk-loaded in SQL (generate_series; the running columns
capital_after and highest_capital_after computed with window functions, as the app computes
them under the ledger lock) and dropped here (kept with BENCH_KEEP=1, to EXPLAIN the queries).

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/capital.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from kit import (
    database_url,
    drop_database,
    interleaved,
    recreate_database,
    register_structure,
    verbose,
)

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench_capital"
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))  # even: transfers go by pairs
MOVEMENTS_PER_MEMBER = 10
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
CAPITAL_TARGET = 1.5
BALANCES_TARGET = 1.5
START = dt.date(2015, 1, 5)
SPREAD_DAYS = 1800  # members join over about five years
STEP_DAYS = 180  # then a movement about every six months

# --- The data ---------------------------------------------------------------------------------

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

# Members 2j-1 and 2j join together (same day) and exchange a share at their 5th movement.
# Member i's k-th movement (k = 1..10) is dated day(i, k); every tenth member leaves before
# their 10th movement, which repays them.
DAY_SQL = f"""
date '{START.isoformat()}'
    + ((((i - 1) / 2)::bigint * {SPREAD_DAYS} / {MEMBERS // 2})::int + (k - 1) * {STEP_DAYS})
"""

MEMBERS_SQL = f"""
INSERT INTO members_member (
    number, person_kind, first_name, last_name, legal_name, legal_registration,
    representative_name, representative_role, email, phone, address, postal_code, city,
    country, language, category_id, college_id, requested_shares, e_notices,
    e_notices_changed_at, status, applied_on, admitted_on, admission_ref, ratified_on,
    ratification_ref, rejected_on, rejection_reason, exited_on, exit_ref, user_id,
    created_at, updated_at)
SELECT i, 'natural', 'Prénom' || i, 'Nom' || i, '', '', '', '', 'membre' || i || '@exemple.fr',
       '', '', '38000', 'Grenoble', 'France', 'fr', cat.id, cat.default_college_id, 4, false,
       NULL,
       CASE WHEN i % 10 = 0 THEN 'resigned' ELSE 'ratified' END,
       first_day - 30, first_day - 10, 'CA du ' || to_char(first_day - 10, 'DD/MM/YYYY'),
       first_day + 150, 'AGO du ' || to_char(first_day + 150, 'DD/MM/YYYY'), NULL, '',
       CASE WHEN i % 10 = 0 THEN last_day - 60 END,
       CASE WHEN i % 10 = 0 THEN 'Lettre de démission' ELSE '' END,
       NULL, now(), now()
FROM (
    SELECT i, {DAY_SQL.replace("k - 1", "0")} AS first_day,
           {DAY_SQL.replace("k - 1", str(MOVEMENTS_PER_MEMBER - 1))} AS last_day,
           (ARRAY['salaries', 'beneficiaires', 'beneficiaires', 'benevoles',
                  'collectivites'])[1 + i % 5] AS category
    FROM generate_series(1, {MEMBERS}) AS i
) p
JOIN members_category cat ON cat.code = p.category
ORDER BY i
"""

# One row per (member, k): kind, shares, amounts at 50 € a share. k=1 subscribes 4 shares
# with 50 € paid (the rest due in two years), k=2..4 pay 50 € each, k=5 transfers a paid
# share from the odd to the even member of the pair, k=6..9 subscribe a fully paid share
# (one member in twenty has their 9th corrected instead: a correction of the 8th), k=10
# subscribes one more share or, for a member who left, repays all their shares.
STEPS_SQL = f"""
CREATE UNLOGGED TABLE bench_steps AS
WITH raw AS (
    SELECT m.id AS member_id, i, k, {DAY_SQL} AS effective_on,
           CASE WHEN k = 1 THEN 'subscription'
                WHEN k <= 4 THEN 'payment'
                WHEN k = 5 THEN 'transfer'
                WHEN k = 9 AND i % 20 = 3 THEN 'correction'
                WHEN k = 10 AND i % 10 = 0 THEN 'repayment'
                ELSE 'subscription' END AS kind,
           CASE WHEN k = 1 THEN 4
                WHEN k <= 4 THEN 0
                WHEN k = 5 THEN CASE WHEN i % 2 = 1 THEN -1 ELSE 1 END
                WHEN k = 9 AND i % 20 = 3 THEN -1
                ELSE 1 END AS shares,
           CASE WHEN k = 1 THEN 50 WHEN k <= 4 THEN 50
                WHEN k = 5 THEN CASE WHEN i % 2 = 1 THEN -50 ELSE 50 END
                WHEN k = 9 AND i % 20 = 3 THEN -50
                ELSE 50 END::numeric(14, 2) AS paid_amount
    FROM generate_series(1, {MEMBERS}) AS i
    JOIN members_member m ON m.number = i
    CROSS JOIN generate_series(1, {MOVEMENTS_PER_MEMBER}) AS k
), held AS (
    -- A repayment gives back everything held before it (all paid up by then).
    SELECT raw.*,
           sum(shares) OVER (PARTITION BY member_id ORDER BY k
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS held_before
    FROM raw
)
SELECT row_number() OVER (ORDER BY effective_on, i, k) AS seq,
       member_id, i, k, effective_on, kind,
       CASE WHEN kind = 'repayment' THEN -held_before ELSE shares END AS shares,
       CASE WHEN kind = 'repayment' THEN -held_before * 50 ELSE paid_amount END AS paid_amount
FROM held
"""

# The ledger, numbered by date; id = seq. amount = shares x 50; the running capital and the
# highest capital reached are window sums over the sequence, as the app writes them. Each
# column of the ledger is written with its expression here (over `s`, one row of bench_steps
# with its running capital); a column added to the model since is written with its default.
MOVEMENT_COLUMNS = {
    "id": "s.seq",
    "seq": "s.seq",
    "effective_on": "s.effective_on",
    "kind": "s.kind",
    "member_id": "s.member_id",
    "counterparty_id": "CASE WHEN s.kind = 'transfer' THEN partner.id END",
    "shares": "s.shares",
    "nominal_value": "50",
    "amount": "s.shares * 50",
    "paid_amount": "s.paid_amount",
    "cash_amount": "CASE WHEN s.kind = 'repayment' THEN -s.paid_amount ELSE 0 END",
    "due_on": "CASE WHEN s.k = 1 THEN s.effective_on + 730 END",
    "decision_ref": """CASE s.kind
        WHEN 'subscription' THEN 'Bulletin de souscription n° ' || s.seq
        WHEN 'payment' THEN 'Virement n° ' || s.seq
        WHEN 'transfer' THEN 'CA du ' || to_char(s.effective_on, 'DD/MM/YYYY')
        WHEN 'correction' THEN 'Erreur de saisie, CA du ' || to_char(s.effective_on, 'DD/MM/YYYY')
        ELSE 'AGO du ' || to_char(s.effective_on, 'DD/MM/YYYY') END""",
    "approved_by": "CASE WHEN s.kind = 'transfer' THEN 'board' ELSE '' END",
    "corrects_id": "CASE WHEN s.kind = 'correction' THEN corrected.seq END",
    "capital_after": "s.capital_after",
    "highest_capital_after": "max(s.capital_after) OVER (ORDER BY s.seq ROWS UNBOUNDED PRECEDING)",
    "recorded_at": "(s.effective_on + time '10:00') AT TIME ZONE 'UTC'",
    "actor_id": "NULL",
}


def movements_sql() -> tuple[str, dict[str, object]]:
    """The INSERT of the whole ledger, for the columns the model has now."""
    from capital.models import ShareMovement

    columns, values, params = [], [], {}
    for field in ShareMovement._meta.concrete_fields:
        columns.append(field.column)
        if field.column in MOVEMENT_COLUMNS:
            values.append(MOVEMENT_COLUMNS[field.column])
        else:
            params[field.column] = None if field.null else field.get_default()
            values.append(f"%({field.column})s")
    sql = f"""
    INSERT INTO capital_sharemovement ({", ".join(columns)})
    SELECT {", ".join(values)}
    FROM (
        SELECT bench_steps.*,
               sum(shares * 50) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING) AS capital_after
        FROM bench_steps
    ) s
    LEFT JOIN members_member partner
        ON s.kind = 'transfer'
           AND partner.number = CASE WHEN s.i % 2 = 1 THEN s.i + 1 ELSE s.i - 1 END
    LEFT JOIN bench_steps corrected
        ON s.kind = 'correction' AND corrected.member_id = s.member_id AND corrected.k = s.k - 1
    ORDER BY s.seq
    """
    return sql.replace("%", "%%").replace("%%(", "%("), params


REQUESTS_SQL = """
INSERT INTO capital_repaymentrequest (member_id, exited_on, shares, requested_at, repayment_id)
SELECT m.id, m.exited_on, -r.shares, (m.exited_on + time '10:00') AT TIME ZONE 'UTC', r.id
FROM capital_sharemovement r
JOIN members_member m ON m.id = r.member_id
WHERE r.kind = 'repayment'
ORDER BY m.exited_on, m.id
"""

# --- The baselines ----------------------------------------------------------------------------

CAPITAL_SQL = "SELECT sum(amount) FROM capital_sharemovement WHERE effective_on <= %(on)s"
BALANCES_SQL = """
SELECT member_id, sum(shares), sum(amount), sum(paid_amount)
FROM capital_sharemovement
WHERE effective_on <= %(on)s
GROUP BY member_id
ORDER BY member_id
"""

PAGE_SQL = (
    "SELECT count(*) FROM members_member WHERE number IS NOT NULL",
    """
SELECT id, number, first_name, last_name, legal_name, person_kind, status
FROM members_member WHERE number IS NOT NULL ORDER BY number LIMIT 50 OFFSET %(offset)s
""",
    """
SELECT member_id, sum(shares), sum(amount), sum(paid_amount)
FROM capital_sharemovement
WHERE effective_on <= %(on)s AND member_id = ANY(%(ids)s)
GROUP BY member_id
ORDER BY member_id
""",
)

# --- The benchmark ----------------------------------------------------------------------------


def load(url: str) -> None:
    """Statutes, colleges and categories through the ORM; members and movements in bulk SQL."""
    import psycopg

    from capital.models import LedgerCounter
    from coop.models import Statutes
    from members.models import MemberNumberCounter

    Statutes.objects.create(
        effective_from=START - dt.timedelta(days=365),
        decision_ref="AGE constitutive",
        name="Coopérative de banc d'essai",
        registered_office="1 place de la Mairie, 38000 Grenoble",
    )
    register_structure(COLLEGES, CATEGORIES)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET work_mem = '256MB'")
        conn.execute(MEMBERS_SQL)
        conn.execute(STEPS_SQL)
        conn.execute("CREATE INDEX ON bench_steps (member_id, k)")
        sql, params = movements_sql()
        conn.execute(sql, params)
        conn.execute(REQUESTS_SQL)
        conn.execute("DROP TABLE bench_steps")
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('capital_sharemovement', 'id'), "
            "(SELECT max(id) FROM capital_sharemovement))"
        )
        conn.execute("VACUUM ANALYZE members_member")
        conn.execute("VACUUM ANALYZE capital_sharemovement")
        conn.execute("VACUUM ANALYZE capital_repaymentrequest")
    MemberNumberCounter.objects.update_or_create(pk=1, defaults={"last_number": MEMBERS})
    LedgerCounter.objects.update_or_create(
        pk=1, defaults={"last_seq": MEMBERS * MOVEMENTS_PER_MEMBER}
    )
    verbose(f"loaded {MEMBERS} members in {time.perf_counter() - started:.1f}s")


def check_ledger(raw) -> list[str]:
    """The loaded ledger is one the app could have written: numbered without gaps, in date
    order, its running totals equal to the sums, no negative holding, requests all repaid."""
    problems = []
    with raw.cursor() as cursor:
        count, low, high = cursor.execute(
            "SELECT count(*), min(seq), max(seq) FROM capital_sharemovement"
        ).fetchone()
        if (count, low, high) != (MEMBERS * MOVEMENTS_PER_MEMBER, 1, count):
            problems.append(f"ledger: {count} movements numbered {low} to {high}")
        wrong = cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT effective_on, capital_after, highest_capital_after,
                       lag(effective_on) OVER w AS previous_on,
                       sum(amount) OVER w AS running,
                       max(sum_so_far) OVER w AS highest
                FROM (SELECT *, sum(amount) OVER (ORDER BY seq) AS sum_so_far
                      FROM capital_sharemovement) m
                WINDOW w AS (ORDER BY seq ROWS UNBOUNDED PRECEDING)
            ) t
            WHERE capital_after <> running OR highest_capital_after <> highest
               OR effective_on < previous_on
            """
        ).fetchone()[0]
        if wrong:
            problems.append(f"ledger: {wrong} movements whose running totals or date are wrong")
        negative = cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT sum(shares) OVER w AS shares, sum(paid_amount) OVER w AS paid,
                       sum(amount) OVER w AS subscribed
                FROM capital_sharemovement
                WINDOW w AS (PARTITION BY member_id ORDER BY seq)
            ) t
            WHERE shares < 0 OR paid < 0 OR paid > subscribed
            """
        ).fetchone()[0]
        if negative:
            problems.append(f"ledger: {negative} movements leave a negative or overpaid holding")
    return problems


def main() -> int:
    url = database_url(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    # This script is bench/capital.py: the app `capital` must not resolve to it, neither
    # through the script's folder nor through the working directory (Celery's Django fixup
    # puts it first on the path).
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)

    recreate_database(url, BENCH_DB)
    problems: list[str] = []
    try:
        import django

        django.setup()
        import psycopg
        from django.core.management import call_command

        from capital import selectors

        call_command("migrate", verbosity=0, interactive=False)
        load(url)
        raw = psycopg.connect(url, autocommit=True)
        problems += check_ledger(raw)
        with raw.cursor() as cursor:
            first, last = cursor.execute(
                "SELECT min(effective_on), max(effective_on) FROM capital_sharemovement"
            ).fetchone()
        span = (last - first).days
        # Early (the first members still subscribing), middle, late (repayments going on).
        dates = [first + dt.timedelta(days=span * part // 8) for part in (1, 4, 7)]

        # --- capital_at
        def app_capital():
            return [selectors.capital_at(on=on) for on in dates]

        def raw_capital():
            with raw.cursor() as cursor:
                return [
                    cursor.execute(CAPITAL_SQL, {"on": on}).fetchone()[0] or Decimal(0)
                    for on in dates
                ]

        capital_app, capital_raw = interleaved(app_capital, raw_capital, rounds=ROUNDS)
        if app_capital() != raw_capital():
            problems.append(f"capital_at: app {app_capital()} != baseline {raw_capital()}")
        verbose(f"capital at {dates}: {raw_capital()}")

        # --- balances
        on = dates[1]

        def app_balances():
            return selectors.balances_at(on=on)

        def raw_balances():
            with raw.cursor() as cursor:
                return cursor.execute(BALANCES_SQL, {"on": on}).fetchall()

        balances_app, balances_raw = interleaved(app_balances, raw_balances, rounds=ROUNDS)
        app_rows = [(b.member_id, b.shares, b.subscribed, b.paid) for b in app_balances()]
        raw_rows = [tuple(row) for row in raw_balances()]
        if app_rows != raw_rows:
            problems.append(
                f"balances: the app gives {len(app_rows)} rows {app_rows[:2]}..., "
                f"the baseline {len(raw_rows)} {raw_rows[:2]}..."
            )
        verbose(f"balances on {on}: {len(raw_rows)} members")

        # --- balances_page
        page_number = MEMBERS // 50 // 2

        def app_page():
            page, holdings = selectors.holdings_page(on=on, page_number=page_number)
            return page.paginator.count, [
                (h.member.pk, h.balance.shares if h.balance else 0) for h in holdings
            ]

        def raw_page():
            count_sql, members_sql, sums_sql = PAGE_SQL
            with raw.cursor() as cursor:
                count = cursor.execute(count_sql).fetchone()[0]
                members = cursor.execute(members_sql, {"offset": (page_number - 1) * 50}).fetchall()
                ids = [row[0] for row in members]
                sums = {
                    row[0]: row[1]
                    for row in cursor.execute(sums_sql, {"on": on, "ids": ids}).fetchall()
                }
            return count, [(pk, sums.get(pk, 0)) for pk in ids]

        page_app, page_raw = interleaved(app_page, raw_page, rounds=ROUNDS)
        if app_page() != raw_page():
            problems.append("balances_page: the app's page differs from the baseline's")
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

    print(f"capital_at: ratio={capital_app / capital_raw:.2f} target={CAPITAL_TARGET}")
    print(f"balances: ratio={balances_app / balances_raw:.2f} target={BALANCES_TARGET}")
    print(f"balances_page: ratio={page_app / page_raw:.2f} target={BALANCES_TARGET}")
    verbose(
        f"capital_at app {capital_app * 1000:.2f} ms raw {capital_raw * 1000:.1f} ms; "
        f"balances app {balances_app * 1000:.0f} ms raw {balances_raw * 1000:.0f} ms"
    )
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
