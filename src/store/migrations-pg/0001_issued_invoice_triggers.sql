-- An issued invoice never changes (decision 0016): the same guarantees as the SQLite triggers of
-- migration 0006, in PL/pgSQL. A correction goes on the next invoice as a credit or adjustment line.
CREATE FUNCTION crosswalk_invoice_issued(invoice text) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id = invoice AND h.issued_at IS NOT NULL) $$;
--> statement-breakpoint
CREATE FUNCTION crosswalk_invoice_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF crosswalk_invoice_issued(OLD.id) THEN
      RAISE EXCEPTION 'invoice is issued: it never changes (a correction goes on the next invoice)';
    END IF;
    RETURN OLD;
  END IF;
  IF crosswalk_invoice_issued(OLD.id) AND (
      NEW.total_cents IS DISTINCT FROM OLD.total_cents OR NEW.client_id IS DISTINCT FROM OLD.client_id
      OR NEW.number IS DISTINCT FROM OLD.number OR NEW.issue_date IS DISTINCT FROM OLD.issue_date
      OR NEW.period_start IS DISTINCT FROM OLD.period_start OR NEW.period_end IS DISTINCT FROM OLD.period_end
      OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.deleted_at IS DISTINCT FROM OLD.deleted_at
      OR NEW.status NOT IN ('issued', 'paid', 'void')) THEN
    RAISE EXCEPTION 'invoice is issued: it never changes (a correction goes on the next invoice)';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER hub_invoice_issued_frozen BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION crosswalk_invoice_frozen();
--> statement-breakpoint
-- Lines and their time-entry links: no insert, update or delete touching an issued invoice.
CREATE FUNCTION crosswalk_invoice_children_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (TG_OP IN ('UPDATE', 'DELETE') AND crosswalk_invoice_issued(OLD.invoice_id))
     OR (TG_OP IN ('INSERT', 'UPDATE') AND crosswalk_invoice_issued(NEW.invoice_id)) THEN
    IF TG_TABLE_NAME = 'invoice_lines' THEN
      RAISE EXCEPTION 'invoice is issued: its lines never change';
    END IF;
    RAISE EXCEPTION 'invoice is issued: the time it bills never changes';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER hub_invoice_lines_frozen BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines FOR EACH ROW EXECUTE FUNCTION crosswalk_invoice_children_frozen();
--> statement-breakpoint
CREATE TRIGGER hub_invoice_links_frozen BEFORE INSERT OR UPDATE OR DELETE ON invoice_line_time_entries FOR EACH ROW EXECUTE FUNCTION crosswalk_invoice_children_frozen();
--> statement-breakpoint
CREATE FUNCTION crosswalk_invoice_issue_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.issued_at IS NOT NULL THEN
    RAISE EXCEPTION 'invoice is issued: it never changes (a correction goes on the next invoice)';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER hub_invoice_issue_once BEFORE UPDATE ON hub_invoices FOR EACH ROW EXECUTE FUNCTION crosswalk_invoice_issue_once();
