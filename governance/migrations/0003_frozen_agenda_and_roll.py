from django.db import migrations

# RULES 11: after convocation the agenda cannot change, nor the roll. The services refuse; the
# database refuses too, whoever writes.
#
# - governance_agendaitem, governance_resolution: INSERT, UPDATE and DELETE only while their
#   assembly is a draft (for an UPDATE, both the old and the new assembly).
# - governance_rollentry: never deleted; its frozen columns never change (the check-in and the
#   link to the convocation's outbox row do); new entries only for a draft assembly. The
#   convocation writes the roll while the assembly is still a draft, in the same transaction
#   that then marks it convened. The INSERT check runs once per statement (a transition
#   table), so that a roll of 50,000 members costs one join, not 50,000 lookups.

AGENDA_FUNCTION = """
CREATE OR REPLACE FUNCTION governance_refuse_unless_draft() RETURNS trigger AS $$
DECLARE
    target_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO target_status FROM governance_assembly WHERE id = OLD.assembly_id;
        IF target_status IS DISTINCT FROM 'draft' THEN
            RAISE EXCEPTION 'the agenda of assembly % was convened: % on % refused',
                OLD.assembly_id, TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        SELECT status INTO target_status FROM governance_assembly WHERE id = NEW.assembly_id;
        IF target_status IS DISTINCT FROM 'draft' THEN
            RAISE EXCEPTION 'the agenda of assembly % was convened: % on % refused',
                NEW.assembly_id, TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

ROLL_FUNCTIONS = """
CREATE OR REPLACE FUNCTION governance_roll_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the roll of assembly % is frozen: % of entry % refused',
        OLD.assembly_id, TG_OP, OLD.id USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION governance_roll_insert_draft_only() RETURNS trigger AS $$
DECLARE
    frozen bigint;
BEGIN
    SELECT a.id INTO frozen
    FROM (SELECT DISTINCT assembly_id FROM new_entries) n
    JOIN governance_assembly a ON a.id = n.assembly_id
    WHERE a.status <> 'draft'
    LIMIT 1;
    IF frozen IS NOT NULL THEN
        RAISE EXCEPTION 'the roll of assembly % is frozen: INSERT refused', frozen
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

FROZEN_COLUMNS = (
    "assembly_id",
    "member_id",
    "college_id",
    "member_number",
    "name",
    "address",
    "check_in_token",
)

TRIGGERS = f"""
CREATE TRIGGER governance_agendaitem_draft_only
    BEFORE INSERT OR UPDATE OR DELETE ON governance_agendaitem
    FOR EACH ROW EXECUTE FUNCTION governance_refuse_unless_draft();
CREATE TRIGGER governance_resolution_draft_only
    BEFORE INSERT OR UPDATE OR DELETE ON governance_resolution
    FOR EACH ROW EXECUTE FUNCTION governance_refuse_unless_draft();
CREATE TRIGGER governance_rollentry_no_delete
    BEFORE DELETE ON governance_rollentry
    FOR EACH ROW EXECUTE FUNCTION governance_roll_refuse_change();
CREATE TRIGGER governance_rollentry_frozen_columns
    BEFORE UPDATE OF {", ".join(FROZEN_COLUMNS)} ON governance_rollentry
    FOR EACH ROW
    WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in FROZEN_COLUMNS)})
    EXECUTE FUNCTION governance_roll_refuse_change();
CREATE TRIGGER governance_rollentry_insert_draft_only
    AFTER INSERT ON governance_rollentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION governance_roll_insert_draft_only();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS governance_agendaitem_draft_only ON governance_agendaitem;
DROP TRIGGER IF EXISTS governance_resolution_draft_only ON governance_resolution;
DROP TRIGGER IF EXISTS governance_rollentry_no_delete ON governance_rollentry;
DROP TRIGGER IF EXISTS governance_rollentry_frozen_columns ON governance_rollentry;
DROP TRIGGER IF EXISTS governance_rollentry_insert_draft_only ON governance_rollentry;
"""


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_secret_ballots_and_results")]

    operations = [
        migrations.RunSQL(
            AGENDA_FUNCTION, "DROP FUNCTION IF EXISTS governance_refuse_unless_draft();"
        ),
        migrations.RunSQL(
            ROLL_FUNCTIONS,
            "DROP FUNCTION IF EXISTS governance_roll_refuse_change();"
            "DROP FUNCTION IF EXISTS governance_roll_insert_draft_only();",
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
    ]
