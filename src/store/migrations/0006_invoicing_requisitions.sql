CREATE TABLE `hub_invoices` (
	`invoice_id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`drafted_at` text NOT NULL,
	`drafted_by` text NOT NULL,
	`issued_at` text,
	`issued_by` text,
	`held` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hub_invoices_one_draft` ON `hub_invoices` (`client_id`,`period_start`) WHERE issued_at IS NULL;--> statement-breakpoint
CREATE TABLE `invoice_line_time_entries` (
	`line_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`time_entry_id` text NOT NULL,
	`hour_type` text NOT NULL,
	`centi_hours` integer NOT NULL,
	FOREIGN KEY (`time_entry_id`) REFERENCES `time_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoice_line_time_entries_once` ON `invoice_line_time_entries` (`time_entry_id`,`hour_type`);--> statement-breakpoint
CREATE INDEX `invoice_line_time_entries_invoice` ON `invoice_line_time_entries` (`invoice_id`);--> statement-breakpoint
CREATE TABLE `requisition_request_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`comment` text,
	FOREIGN KEY (`request_id`) REFERENCES `requisition_requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `requisition_request_events_request` ON `requisition_request_events` (`request_id`,`seq`);--> statement-breakpoint
CREATE TABLE `requisition_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`worksite_id` text NOT NULL,
	`requested_by_id` text NOT NULL,
	`status` text NOT NULL,
	`fields` text NOT NULL,
	`requisition_id` text,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requisition_id`) REFERENCES `requisitions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `requisition_requests_client` ON `requisition_requests` (`client_id`,`status`);--> statement-breakpoint
CREATE INDEX `requisition_requests_worksite` ON `requisition_requests` (`worksite_id`);--> statement-breakpoint
CREATE TABLE `requisition_templates` (
	`client_id` text PRIMARY KEY NOT NULL,
	`required` text NOT NULL,
	`requires_approval` integer NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Hand-written (src/store/schema/invoicing.ts): an invoice the hub issued never changes. Only its
-- status may move on (issued → paid | void); its amounts, lines and time entry links are frozen.
CREATE TRIGGER `hub_invoice_issued_frozen` BEFORE UPDATE ON `invoices`
WHEN EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id = OLD.id AND h.issued_at IS NOT NULL)
  AND (NEW.total_cents IS NOT OLD.total_cents OR NEW.client_id IS NOT OLD.client_id OR NEW.number IS NOT OLD.number
    OR NEW.issue_date IS NOT OLD.issue_date OR NEW.period_start IS NOT OLD.period_start OR NEW.period_end IS NOT OLD.period_end
    OR NEW.currency IS NOT OLD.currency OR NEW.deleted_at IS NOT OLD.deleted_at OR NEW.status NOT IN ('issued', 'paid', 'void'))
BEGIN SELECT RAISE(ABORT, 'invoice is issued: it never changes (a correction goes on the next invoice)'); END;
--> statement-breakpoint
CREATE TRIGGER `hub_invoice_issued_no_delete` BEFORE DELETE ON `invoices`
WHEN EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id = OLD.id AND h.issued_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'invoice is issued: it never changes (a correction goes on the next invoice)'); END;
--> statement-breakpoint
CREATE TRIGGER `hub_invoice_lines_frozen_insert` BEFORE INSERT ON `invoice_lines`
WHEN EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id = NEW.invoice_id AND h.issued_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'invoice is issued: its lines never change'); END;
--> statement-breakpoint
CREATE TRIGGER `hub_invoice_lines_frozen_update` BEFORE UPDATE ON `invoice_lines`
WHEN EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id IN (OLD.invoice_id, NEW.invoice_id) AND h.issued_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'invoice is issued: its lines never change'); END;
--> statement-breakpoint
CREATE TRIGGER `hub_invoice_lines_frozen_delete` BEFORE DELETE ON `invoice_lines`
WHEN EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id = OLD.invoice_id AND h.issued_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'invoice is issued: its lines never change'); END;
--> statement-breakpoint
CREATE TRIGGER `hub_invoice_links_frozen_update` BEFORE UPDATE ON `invoice_line_time_entries`
WHEN EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id IN (OLD.invoice_id, NEW.invoice_id) AND h.issued_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'invoice is issued: the time it bills never changes'); END;
--> statement-breakpoint
CREATE TRIGGER `hub_invoice_links_frozen_delete` BEFORE DELETE ON `invoice_line_time_entries`
WHEN EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id = OLD.invoice_id AND h.issued_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'invoice is issued: the time it bills never changes'); END;
--> statement-breakpoint
CREATE TRIGGER `hub_invoice_links_frozen_insert` BEFORE INSERT ON `invoice_line_time_entries`
WHEN EXISTS (SELECT 1 FROM hub_invoices h WHERE h.invoice_id = NEW.invoice_id AND h.issued_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'invoice is issued: the time it bills never changes'); END;
--> statement-breakpoint
CREATE TRIGGER `hub_invoice_issue_once` BEFORE UPDATE ON `hub_invoices`
WHEN OLD.issued_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'invoice is issued: it never changes (a correction goes on the next invoice)'); END;
