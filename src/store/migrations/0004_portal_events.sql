CREATE TABLE `portal_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`entity` text NOT NULL,
	`canonical_id` text,
	`client_id` text,
	`worksite_id` text,
	`actor` text,
	`recipients` text NOT NULL,
	`data` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `portal_events_type` ON `portal_events` (`type`,`seq`);--> statement-breakpoint
CREATE INDEX `portal_events_record` ON `portal_events` (`entity`,`canonical_id`);