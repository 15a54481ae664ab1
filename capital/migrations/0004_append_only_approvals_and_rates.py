from django.db import migrations

TABLES = ("capital_accountsapproval", "capital_interestratedecision")


class Migration(migrations.Migration):
    dependencies = [
        ("capital", "0003_transfer_approver_accounts_approval_interest_rate"),
        ("coop", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION coop_refuse_change();",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        )
        for table in TABLES
    ]
