from django.db import migrations

# RULES 36: ballots, participations and results are append-only in the database itself. The
# trigger function is the one the audit log and the share ledger use (coop 0002). The urn and
# the sealed pointers are not append-only: a re-vote changes them and the seal empties them.
# TRUNCATE (the test suite's flush) is a statement, not a row change: these row triggers let
# it through.

TABLES = ["governance_ballot", "governance_participation", "governance_resolutionresult"]


def _create(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION coop_refuse_change();"
    )


def _drop(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"


class Migration(migrations.Migration):
    dependencies = [
        ("coop", "0002_append_only_triggers"),
        ("governance", "0007_open_ballots_into_urn"),
    ]

    operations = [migrations.RunSQL(_create(t), _drop(t)) for t in TABLES]
