from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_register"),
        ("coop", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE TRIGGER members_registerevent_append_only BEFORE UPDATE OR DELETE "
            "ON members_registerevent FOR EACH ROW EXECUTE FUNCTION coop_refuse_change();",
            "DROP TRIGGER IF EXISTS members_registerevent_append_only ON members_registerevent;",
        ),
    ]
