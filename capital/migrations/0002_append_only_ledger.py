from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("capital", "0001_ledger"),
        ("coop", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE TRIGGER capital_sharemovement_append_only BEFORE UPDATE OR DELETE "
            "ON capital_sharemovement FOR EACH ROW EXECUTE FUNCTION coop_refuse_change();",
            "DROP TRIGGER IF EXISTS capital_sharemovement_append_only ON capital_sharemovement;",
        ),
    ]
