CREATE TABLE `time_nudges` (
	`time_entry_id` text NOT NULL,
	`submitted_at` text NOT NULL,
	`kind` text NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`time_entry_id`, `submitted_at`, `kind`)
);
--> statement-breakpoint
CREATE TABLE `time_reminder_settings` (
	`client_id` text PRIMARY KEY NOT NULL,
	`reminder_after_hours` integer NOT NULL,
	`escalate_after_hours` integer NOT NULL,
	`escalate_to` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `time_entries` ADD `adjusts_entry_id` text;--> statement-breakpoint
ALTER TABLE `time_entries` ADD `dispute_reason` text;--> statement-breakpoint
ALTER TABLE `time_entries` ADD `payroll_held_until` text;--> statement-breakpoint
CREATE INDEX `time_entries_adjusts` ON `time_entries` (`adjusts_entry_id`);