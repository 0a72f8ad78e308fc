"""Database guards for the ledger, beyond the ORM's append-only models.

PostgreSQL: ledger rows refuse UPDATE and DELETE, and a deferred constraint
trigger refuses to commit a transaction whose entries do not sum to zero.
SQLite: ledger rows refuse UPDATE (DELETE stays possible because Django's
test flush empties tables with DELETE on SQLite).
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION marketplace_ledger_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are append-only (%): post a reversing transaction instead', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER marketplace_entry_append_only BEFORE UPDATE OR DELETE ON marketplace_entry
  FOR EACH ROW EXECUTE FUNCTION marketplace_ledger_append_only();
CREATE TRIGGER marketplace_ledgertransaction_append_only BEFORE UPDATE OR DELETE ON marketplace_ledgertransaction
  FOR EACH ROW EXECUTE FUNCTION marketplace_ledger_append_only();

CREATE OR REPLACE FUNCTION marketplace_entry_balanced() RETURNS trigger AS $$
DECLARE total bigint;
BEGIN
  SELECT COALESCE(SUM(amount_pence), 0) INTO total FROM marketplace_entry WHERE transaction_id = NEW.transaction_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % is unbalanced: its entries sum to % pence', NEW.transaction_id, total;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER marketplace_entry_balanced AFTER INSERT ON marketplace_entry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION marketplace_entry_balanced();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS marketplace_entry_balanced ON marketplace_entry;
DROP TRIGGER IF EXISTS marketplace_entry_append_only ON marketplace_entry;
DROP TRIGGER IF EXISTS marketplace_ledgertransaction_append_only ON marketplace_ledgertransaction;
DROP FUNCTION IF EXISTS marketplace_entry_balanced();
DROP FUNCTION IF EXISTS marketplace_ledger_append_only();
"""

SQLITE_UP = [
    "CREATE TRIGGER marketplace_entry_no_update BEFORE UPDATE ON marketplace_entry "
    "BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: post a reversing transaction instead'); END;",
    "CREATE TRIGGER marketplace_ledgertransaction_no_update BEFORE UPDATE ON marketplace_ledgertransaction "
    "BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: post a reversing transaction instead'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS marketplace_entry_no_update;",
    "DROP TRIGGER IF EXISTS marketplace_ledgertransaction_no_update;",
]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
