from django.db import migrations

# Ballots cast before the urn existed, in assemblies whose vote is not closed yet, move from
# the ballot box into the urn: the box only receives sealed ballots (governance.services.urn).
# They get no sealed pointer (the receipts were never stored), so these votes cannot be changed.
# Ballots of closed, published or cancelled assemblies stay where they are.

FORWARD = """
WITH moved AS (
    DELETE FROM governance_ballot AS b
    USING governance_resolution AS r, governance_assembly AS a
    WHERE b.resolution_id = r.id AND r.assembly_id = a.id
      AND a.status IN ('convened', 'voting_open')
    RETURNING b.id, b.resolution_id, b.college_id, b.choice, b.receipt
)
INSERT INTO governance_urnballot (id, resolution_id, college_id, choice, receipt)
SELECT id, resolution_id, college_id, choice, receipt FROM moved ORDER BY id;
"""

BACKWARD = """
WITH moved AS (
    DELETE FROM governance_urnballot
    RETURNING id, resolution_id, college_id, choice, receipt
)
INSERT INTO governance_ballot (id, resolution_id, college_id, choice, receipt)
SELECT id, resolution_id, college_id, choice, receipt FROM moved ORDER BY id;
DELETE FROM governance_ballotpointer;
"""


class Migration(migrations.Migration):
    dependencies = [("governance", "0006_sealed_ballot_box")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
