CREATE TABLE `ops_issues` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`check` text NOT NULL,
	`system` text NOT NULL,
	`title` text NOT NULL,
	`detail` text NOT NULL,
	`first_seen` text NOT NULL,
	`last_seen` text NOT NULL,
	`count` integer NOT NULL,
	`resolved_at` text
);
--> statement-breakpoint
CREATE INDEX `ops_issues_open` ON `ops_issues` (`resolved_at`,`key`);