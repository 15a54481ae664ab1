from django.db import migrations

# The table of the "fallback" cache (settings.CACHES): rate limits are counted there while Redis
# cannot be reached. The same table `manage.py createcachetable` would create, so that command
# finds it and leaves it alone.
CREATE = """
CREATE TABLE IF NOT EXISTS coop_cache_fallback (
    cache_key varchar(255) NOT NULL PRIMARY KEY,
    value text NOT NULL,
    expires timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS coop_cache_fallback_expires ON coop_cache_fallback (expires);
"""
DROP = "DROP TABLE IF EXISTS coop_cache_fallback;"


class Migration(migrations.Migration):
    dependencies = [("coop", "0004_outbox_resends")]

    operations = [migrations.RunSQL(CREATE, DROP)]
