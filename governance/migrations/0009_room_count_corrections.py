# Room counts become append-only and correctable (RULES 32): a correction is a new row naming
# the row it corrects, with its reason; the first count of a resolution and college is unique,
# a row is corrected at most once, and the database refuses UPDATE and DELETE on the table
# (the trigger function of coop/migrations/0002_append_only_triggers.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# CREATE OR REPLACE: another migration making the same table append-only under the same name
# (RULES 36) may run before or after this one.
APPEND_ONLY = (
    "CREATE OR REPLACE TRIGGER governance_roomcount_append_only "
    "BEFORE UPDATE OR DELETE ON governance_roomcount "
    "FOR EACH ROW EXECUTE FUNCTION coop_refuse_change();"
)
DROP_APPEND_ONLY = "DROP TRIGGER IF EXISTS governance_roomcount_append_only ON governance_roomcount;"

class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0008_append_only_votes'),
        ('coop', '0002_append_only_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='roomcount',
            name='governance_roomcount_once_per_college',
        ),
        migrations.AddField(
            model_name='roomcount',
            name='corrects',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='governance.roomcount', verbose_name='corrects'),
        ),
        migrations.AddField(
            model_name='roomcount',
            name='reason',
            field=models.TextField(blank=True, verbose_name='reason for the correction'),
        ),
        migrations.AddConstraint(
            model_name='roomcount',
            constraint=models.UniqueConstraint(condition=models.Q(('corrects__isnull', True)), fields=('resolution', 'college'), name='governance_roomcount_first_once_per_college', nulls_distinct=False),
        ),
        migrations.AddConstraint(
            model_name='roomcount',
            constraint=models.UniqueConstraint(fields=('corrects',), name='governance_roomcount_corrected_once'),
        ),
        migrations.AddConstraint(
            model_name='roomcount',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('corrects__isnull', True), ('reason', '')), models.Q(('corrects__isnull', False), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='governance_roomcount_correction_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='roomcount',
            constraint=models.CheckConstraint(condition=models.Q(('corrects', models.F('pk')), _negated=True), name='governance_roomcount_not_itself'),
        ),
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
    ]
