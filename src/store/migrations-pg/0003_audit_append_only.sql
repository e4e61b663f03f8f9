-- The access audit is append-only: the same guarantee as SQLite's `audit_log_append_only` trigger
-- (migration 0001_access). Rows leave only by DELETE, which retention does.
CREATE FUNCTION crosswalk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION crosswalk_audit_append_only();
