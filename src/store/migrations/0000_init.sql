CREATE TABLE `assignment_rates` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`assignment_id` text NOT NULL,
	`effective_from` text NOT NULL,
	`pay_rate_cents` integer NOT NULL,
	`bill_rate_cents` integer NOT NULL,
	`ot_pay_rate_cents` integer,
	`ot_bill_rate_cents` integer,
	`dt_pay_rate_cents` integer,
	`dt_bill_rate_cents` integer,
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignment_rates_effective` ON `assignment_rates` (`assignment_id`,`effective_from`);--> statement-breakpoint
CREATE TABLE `assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`candidate_id` text NOT NULL,
	`requisition_id` text,
	`worksite_id` text,
	`approver_contact_id` text,
	`title` text,
	`start_date` text NOT NULL,
	`end_date` text,
	`status` text NOT NULL,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requisition_id`) REFERENCES `requisitions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`worksite_id`) REFERENCES `worksites`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approver_contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignments_candidate` ON `assignments` (`candidate_id`);--> statement-breakpoint
CREATE INDEX `assignments_worksite` ON `assignments` (`worksite_id`);--> statement-breakpoint
CREATE INDEX `assignments_requisition` ON `assignments` (`requisition_id`);--> statement-breakpoint
CREATE TABLE `candidates` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`email` text,
	`phone` text,
	`city` text,
	`state` text,
	`status` text NOT NULL,
	`employee_type` text
);
--> statement-breakpoint
CREATE INDEX `candidates_email` ON `candidates` (lower("email"));--> statement-breakpoint
CREATE TABLE `clients` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`phone` text,
	`website` text,
	`billing_frequency` text,
	`address_line1` text,
	`city` text,
	`state` text,
	`postal_code` text
);
--> statement-breakpoint
CREATE TABLE `contact_worksite_roles` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`contact_id` text NOT NULL,
	`worksite_id` text NOT NULL,
	`role` text NOT NULL,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`worksite_id`) REFERENCES `worksites`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cwr_worksite_role` ON `contact_worksite_roles` (`worksite_id`,`role`);--> statement-breakpoint
CREATE INDEX `cwr_contact` ON `contact_worksite_roles` (`contact_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`client_id` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`email` text,
	`phone` text,
	`title` text,
	`status` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contacts_client` ON `contacts` (`client_id`);--> statement-breakpoint
CREATE INDEX `contacts_email` ON `contacts` (lower("email"));--> statement-breakpoint
CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`owner_entity` text NOT NULL,
	`owner_id` text NOT NULL,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`version` integer NOT NULL,
	`sha256` text NOT NULL,
	`content_type` text,
	`size_bytes` integer,
	`visibility` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `documents_owner` ON `documents` (`owner_entity`,`owner_id`);--> statement-breakpoint
CREATE TABLE `invoice_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`invoice_id` text NOT NULL,
	`assignment_id` text,
	`time_entry_id` text,
	`kind` text NOT NULL,
	`description` text,
	`quantity` real NOT NULL,
	`rate_cents` integer NOT NULL,
	`amount_cents` integer NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`time_entry_id`) REFERENCES `time_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `invoice_lines_invoice` ON `invoice_lines` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `invoice_lines_time_entry` ON `invoice_lines` (`time_entry_id`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`client_id` text NOT NULL,
	`number` text NOT NULL,
	`issue_date` text NOT NULL,
	`due_date` text,
	`period_start` text,
	`period_end` text,
	`status` text NOT NULL,
	`total_cents` integer NOT NULL,
	`currency` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `invoices_client` ON `invoices` (`client_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number` ON `invoices` (`number`);--> statement-breakpoint
CREATE TABLE `requisitions` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`client_id` text NOT NULL,
	`worksite_id` text,
	`requested_by_id` text,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`employment_type` text NOT NULL,
	`openings` integer NOT NULL,
	`start_date` text,
	`end_date` text,
	`pay_rate_cents` integer,
	`bill_rate_cents` integer,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`worksite_id`) REFERENCES `worksites`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `requisitions_client` ON `requisitions` (`client_id`);--> statement-breakpoint
CREATE INDEX `requisitions_worksite` ON `requisitions` (`worksite_id`);--> statement-breakpoint
CREATE TABLE `submissions` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`candidate_id` text NOT NULL,
	`requisition_id` text NOT NULL,
	`status` text NOT NULL,
	`submitted_at` text,
	`bill_rate_cents` integer,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requisition_id`) REFERENCES `requisitions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `submissions_requisition` ON `submissions` (`requisition_id`);--> statement-breakpoint
CREATE INDEX `submissions_candidate` ON `submissions` (`candidate_id`);--> statement-breakpoint
CREATE TABLE `time_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`assignment_id` text NOT NULL,
	`work_date` text NOT NULL,
	`regular_hours` real NOT NULL,
	`overtime_hours` real NOT NULL,
	`double_time_hours` real NOT NULL,
	`status` text NOT NULL,
	`approved_by_id` text,
	`approved_at` text,
	`note` text,
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `time_entries_assignment_date` ON `time_entries` (`assignment_id`,`work_date`);--> statement-breakpoint
CREATE INDEX `time_entries_status_date` ON `time_entries` (`status`,`work_date`);--> statement-breakpoint
CREATE TABLE `time_entry_events` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`time_entry_id` text NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`comment` text,
	FOREIGN KEY (`time_entry_id`) REFERENCES `time_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `time_entry_events_entry` ON `time_entry_events` (`time_entry_id`,`at`);--> statement-breakpoint
CREATE TABLE `worksites` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`changed_at` text,
	`deleted_at` text,
	`client_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`address_line1` text,
	`city` text,
	`state` text,
	`postal_code` text,
	`time_zone` text,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `worksites_client` ON `worksites` (`client_id`);--> statement-breakpoint
CREATE TABLE `conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`entity` text NOT NULL,
	`canonical_id` text NOT NULL,
	`field` text NOT NULL,
	`system` text NOT NULL,
	`external_id` text NOT NULL,
	`base` text,
	`current` text,
	`incoming` text,
	`status` text NOT NULL,
	`opened_at` text NOT NULL,
	`source_modified_at` text,
	`run_id` text,
	`resolved_at` text,
	`resolved_by` text,
	`resolution` text,
	`resolved_value` text,
	`resolution_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conflicts_open` ON `conflicts` (`entity`,`canonical_id`,`field`,`system`) WHERE "conflicts"."status" = 'open';--> statement-breakpoint
CREATE INDEX `conflicts_status` ON `conflicts` (`status`,`opened_at`);--> statement-breakpoint
CREATE TABLE `connector_state` (
	`system` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`system`, `key`)
);
--> statement-breakpoint
CREATE TABLE `inbox` (
	`id` text PRIMARY KEY NOT NULL,
	`system` text NOT NULL,
	`event_id` text NOT NULL,
	`kind` text NOT NULL,
	`entity` text,
	`external_id` text,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`received_at` text NOT NULL,
	`processed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_event` ON `inbox` (`system`,`event_id`);--> statement-breakpoint
CREATE INDEX `inbox_status` ON `inbox` (`status`,`received_at`);--> statement-breakpoint
CREATE TABLE `ledger` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`direction` text NOT NULL,
	`system` text NOT NULL,
	`entity` text NOT NULL,
	`canonical_id` text,
	`external_id` text,
	`action` text NOT NULL,
	`outcome` text NOT NULL,
	`diff` text,
	`reason` text,
	`source_modified_at` text,
	`actor` text,
	`run_id` text,
	`job_id` text
);
--> statement-breakpoint
CREATE INDEX `ledger_record` ON `ledger` (`entity`,`canonical_id`,`seq`);--> statement-breakpoint
CREATE INDEX `ledger_run` ON `ledger` (`run_id`);--> statement-breakpoint
CREATE INDEX `ledger_exceptions` ON `ledger` (`outcome`,`seq`) WHERE "ledger"."outcome" <> 'applied';--> statement-breakpoint
CREATE TABLE `links` (
	`system` text NOT NULL,
	`entity` text NOT NULL,
	`external_id` text NOT NULL,
	`canonical_id` text,
	`state` text NOT NULL,
	`base` text,
	`source_hash` text,
	`source_modified_at` text,
	`pending` text,
	`waiting_on` text,
	`reason` text,
	`meta` text,
	`tombstoned_at` text,
	`seen_run_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`system`, `entity`, `external_id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `links_canonical` ON `links` (`entity`,`canonical_id`,`system`);--> statement-breakpoint
CREATE INDEX `links_waiting` ON `links` (`waiting_on`) WHERE "links"."waiting_on" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`system` text NOT NULL,
	`entity` text NOT NULL,
	`canonical_id` text NOT NULL,
	`op` text NOT NULL,
	`fields` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`idempotency_key` text NOT NULL,
	`external_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`next_attempt_at` text,
	`waiting_on` text,
	`done_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_pending` ON `outbox` (`system`,`entity`,`canonical_id`) WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `outbox_waiting` ON `outbox` (`system`,`waiting_on`) WHERE "outbox"."waiting_on" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `outbox_status` ON `outbox` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`system` text NOT NULL,
	`entity` text,
	`status` text NOT NULL,
	`cursor` text,
	`counts` text,
	`report` text,
	`error` text,
	`started_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `runs_kind` ON `runs` (`kind`,`system`,`started_at`);--> statement-breakpoint
CREATE TABLE `sync_cursors` (
	`system` text NOT NULL,
	`entity` text NOT NULL,
	`cursor` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`system`, `entity`)
);
--> statement-breakpoint
CREATE TABLE `schedule_slots` (
	`id` text PRIMARY KEY NOT NULL,
	`job` text NOT NULL,
	`system` text NOT NULL,
	`payload` text NOT NULL,
	`claimed_at` text NOT NULL,
	`enqueued_at` text
);
--> statement-breakpoint
CREATE INDEX `schedule_slots_claimed` ON `schedule_slots` (`claimed_at`);--> statement-breakpoint
CREATE TABLE `reconcile_staging` (
	`run_id` text NOT NULL,
	`external_id` text NOT NULL,
	`entity` text NOT NULL,
	`hash` text NOT NULL,
	`source_modified_at` text,
	`deleted` integer DEFAULT 0 NOT NULL,
	`page` integer NOT NULL,
	PRIMARY KEY(`run_id`, `external_id`, `entity`)
);
--> statement-breakpoint
CREATE TABLE `csv_import_errors` (
	`import_id` text NOT NULL,
	`seq` integer NOT NULL,
	`line` integer NOT NULL,
	`column` text,
	`value` text,
	`reason` text NOT NULL,
	PRIMARY KEY(`import_id`, `seq`),
	FOREIGN KEY (`import_id`) REFERENCES `csv_imports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `csv_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`file_sha256` text NOT NULL,
	`source` text NOT NULL,
	`kind` text NOT NULL,
	`file_name` text,
	`size_bytes` integer NOT NULL,
	`encoding` text,
	`delimiter` text,
	`status` text NOT NULL,
	`run_id` text,
	`next_record` integer DEFAULT 0 NOT NULL,
	`next_line` integer DEFAULT 0 NOT NULL,
	`counts` text,
	`error_count` integer DEFAULT 0 NOT NULL,
	`owner` text,
	`heartbeat_at` text,
	`error` text,
	`started_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `csv_imports_live` ON `csv_imports` (`file_sha256`,`source`,`kind`) WHERE "csv_imports"."status" IN ('running', 'succeeded');--> statement-breakpoint
CREATE INDEX `csv_imports_started` ON `csv_imports` (`started_at`);