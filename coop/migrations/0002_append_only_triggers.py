from django.db import migrations

# One trigger function every append-only table uses (audit log, statutes versions here; the
# register events and the share ledger in their apps).
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION coop_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

TABLES = ["coop_auditevent", "coop_statutes"]


def _create(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION coop_refuse_change();"
    )


def _drop(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"


class Migration(migrations.Migration):
    dependencies = [("coop", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_FUNCTION, "DROP FUNCTION IF EXISTS coop_refuse_change();"),
        *[migrations.RunSQL(_create(t), _drop(t)) for t in TABLES],
    ]
