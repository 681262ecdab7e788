-- GET /exports/:id/events is pushed by LISTEN/NOTIFY: every change of an export row or of one of
-- its runs notifies channel `export_changed` with the export's id (Postgres folds repeats within a
-- transaction into one). Inserts need none: a stream reads the export when it opens.
CREATE FUNCTION "notify_export_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('export_changed', NEW."id"::text);
  RETURN NULL;
END
$$;

CREATE FUNCTION "notify_export_run_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('export_changed', NEW."export_id"::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER "exports_notify_changed" AFTER UPDATE ON "exports"
  FOR EACH ROW EXECUTE FUNCTION "notify_export_changed"();

CREATE TRIGGER "export_runs_notify_changed" AFTER UPDATE ON "export_runs"
  FOR EACH ROW EXECUTE FUNCTION "notify_export_run_changed"();
